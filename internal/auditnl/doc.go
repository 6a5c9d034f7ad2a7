// Package auditnl talks to the Linux audit subsystem over its netlink
// socket (NETLINK_AUDIT) without the userspace audit library: it reads and
// sets the audit status, adds, lists and deletes syscall rules on the exit
// filter, receives audit records (as a read-only multicast listener or as the
// registered audit daemon), parses them, groups them into events and counts
// them per rule key and syscall.
//
// It exists because tracebench measures audit as a tracing technology and the
// usual Go library (go-libaudit) is not available here; the formats follow
// the kernel's include/uapi/linux/audit.h and kernel/audit.c, auditsc.c and
// auditfilter.c.
//
// Enabling audit (status enabled=1) sets the kernel's audit_ever_enabled flag:
// from then on every new task gets an audit context and takes the slow
// syscall path until reboot. A Conn therefore refuses to enable audit unless
// the caller has called PermitEnable, which only code running in a throwaway
// guest kernel should do. Adding and deleting rules, registering a daemon and
// reading records while audit is disabled leave no such trace.
package auditnl
