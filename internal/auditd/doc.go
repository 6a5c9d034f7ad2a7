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
// Installing Debian's package starts the system's auditd from its postinst,
// which enables audit for the rest of the boot. Install it with service
// starts denied, and keep a policy-rc.d that was already there:
//
//	test -e /usr/sbin/policy-rc.d || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made=1; }
//	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends auditd
//	test -z "$made" || rm /usr/sbin/policy-rc.d
//	auditctl -s | grep -qx 'enabled 0'
//
// On a machine booted with systemd, also run "systemctl disable auditd" so
// the service does not start at the next boot.
package auditd
