// Package auditd runs the real audit daemon from Debian's auditd package
// (3.0.9 in bookworm) as a child of tracebench, with its own configuration
// directory and log, and counts the events it logged.
//
// It is what users of audit actually run, and it costs the traced process
// more than a bare netlink listener: it writes every record to disk.
// auditd is started with -s nochange, so it never changes whether audit is
// enabled (by default it enables audit at start and disables it at exit);
// it only registers itself as the audit daemon (status pid), which it
// undoes when it stops. Rules and the enabled flag stay the caller's
// business (package auditnl).
//
// Installing the package on a machine without systemd's policy layer can
// start the system's own auditd, which enables audit: install it with a
// /usr/sbin/policy-rc.d that exits 101 (see README in the report).
package auditd
