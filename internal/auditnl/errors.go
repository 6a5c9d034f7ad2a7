package auditnl

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Classes of failure. Every error returned by this package that comes from
// the kernel is an *Error and matches exactly one class with errors.Is, as
// well as the errno itself (errors.Is(err, unix.EPERM)).
var (
	// ErrMissingConfig: the kernel has no audit netlink socket, because it
	// was built without CONFIG_AUDIT or booted with audit=0
	// (EPROTONOSUPPORT from socket(2)); or it has no login uids (no
	// /proc/self/loginuid: ENOENT); or the caller is outside the initial
	// user namespace, where the kernel pretends to have no audit
	// (ECONNREFUSED).
	ErrMissingConfig = errors.New("audit unavailable in this kernel (CONFIG_AUDIT unset or audit=0)")
	// ErrPermission: the caller lacks CAP_AUDIT_CONTROL (requests) or
	// CAP_AUDIT_READ (multicast listener), or runs outside the initial PID
	// namespace, where the kernel refuses audit control; or only the
	// registered daemon may do this (EACCES unregistering another's).
	ErrPermission = errors.New("audit operation not permitted")
	// ErrRuleExists: an identical rule is already loaded (EEXIST on add).
	ErrRuleExists = errors.New("audit rule already exists")
	// ErrNoSuchRule: no loaded rule matches the one to delete (ENOENT on delete).
	ErrNoSuchRule = errors.New("no such audit rule")
	// ErrDaemonRegistered: another process is registered as the audit
	// daemon (EEXIST when setting the status pid).
	ErrDaemonRegistered = errors.New("another audit daemon is registered")
	// ErrInvalid: the kernel rejected the request as malformed (EINVAL), or
	// this package refused it before sending (bad rule, bad status value).
	ErrInvalid = errors.New("invalid audit request")
	// ErrEnableNotPermitted: SetStatus was asked to enable audit on a Conn
	// without PermitEnable. Nothing was sent to the kernel.
	ErrEnableNotPermitted = errors.New("enabling audit not permitted on this connection (it slows every new process until reboot)")
	// ErrProtocol: the kernel's reply did not have the expected shape.
	ErrProtocol = errors.New("unexpected audit netlink reply")
	// ErrFailed: any other kernel error; the errno says which.
	ErrFailed = errors.New("audit request failed")
)

// Error is a failed kernel call, with the operation that made it.
type Error struct {
	// Op names the request ("socket", "AUDIT_ADD_RULE", "bind READLOG", …).
	Op    string
	Errno unix.Errno
	class error
}

func (e *Error) Error() string {
	return fmt.Sprintf("audit %s: %v (%v)", e.Op, e.class, e.Errno)
}

// Unwrap lets errors.Is match both the class and the errno.
func (e *Error) Unwrap() []error { return []error{e.class, e.Errno} }

// kernelError classifies errno as returned for the request op (a netlink
// message type, or 0 for socket-level calls named by name).
func kernelError(name string, msgType uint16, errno unix.Errno) error {
	return &Error{Op: name, Errno: errno, class: classify(msgType, errno)}
}

func classify(msgType uint16, errno unix.Errno) error {
	switch errno {
	case unix.EPROTONOSUPPORT, unix.EAFNOSUPPORT:
		return ErrMissingConfig
	case unix.EPERM, unix.EACCES:
		return ErrPermission
	case unix.ECONNREFUSED:
		// kernel/audit.c answers ECONNREFUSED outside the initial user
		// namespace "to trick userspace into thinking audit was not
		// configured".
		return ErrMissingConfig
	case unix.EINVAL:
		return ErrInvalid
	}
	switch {
	case msgType == unix.AUDIT_ADD_RULE && errno == unix.EEXIST:
		return ErrRuleExists
	case msgType == unix.AUDIT_DEL_RULE && errno == unix.ENOENT:
		return ErrNoSuchRule
	case msgType == unix.AUDIT_SET && errno == unix.EEXIST:
		return ErrDaemonRegistered
	case msgType == 0 && errno == unix.ENOENT:
		return ErrMissingConfig
	}
	return ErrFailed
}

func errorf(class error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{class}, args...)...)
}

// msgName names a request message type for error messages.
func msgName(t uint16) string {
	switch t {
	case unix.AUDIT_GET:
		return "AUDIT_GET"
	case unix.AUDIT_SET:
		return "AUDIT_SET"
	case unix.AUDIT_ADD_RULE:
		return "AUDIT_ADD_RULE"
	case unix.AUDIT_DEL_RULE:
		return "AUDIT_DEL_RULE"
	case unix.AUDIT_LIST_RULES:
		return "AUDIT_LIST_RULES"
	case unix.AUDIT_GET_FEATURE:
		return "AUDIT_GET_FEATURE"
	}
	return fmt.Sprintf("message %d", t)
}
