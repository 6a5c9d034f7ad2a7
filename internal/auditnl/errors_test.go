package auditnl

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

func TestErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		msgType uint16
		errno   unix.Errno
		class   error
	}{
		{0, unix.EPROTONOSUPPORT, ErrMissingConfig},
		{0, unix.ENOENT, ErrMissingConfig},
		{unix.AUDIT_GET, unix.ECONNREFUSED, ErrMissingConfig},
		{unix.AUDIT_SET, unix.EPERM, ErrPermission},
		{unix.AUDIT_SET, unix.EACCES, ErrPermission},
		{unix.AUDIT_SET, unix.EEXIST, ErrDaemonRegistered},
		{unix.AUDIT_ADD_RULE, unix.EEXIST, ErrRuleExists},
		{unix.AUDIT_DEL_RULE, unix.ENOENT, ErrNoSuchRule},
		{unix.AUDIT_ADD_RULE, unix.EINVAL, ErrInvalid},
		{unix.AUDIT_LIST_RULES, unix.ENOMEM, ErrFailed},
	} {
		err := kernelError(msgName(tc.msgType), tc.msgType, tc.errno)
		if !errors.Is(err, tc.class) || !errors.Is(err, tc.errno) {
			t.Errorf("%s %v: %v is not %v and the errno", msgName(tc.msgType), tc.errno, err, tc.class)
		}
		var e *Error
		if !errors.As(err, &e) || e.Errno != tc.errno {
			t.Errorf("%v: not an *Error with errno %v", err, tc.errno)
		}
	}
}
