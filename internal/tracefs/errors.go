package tracefs

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Class says why a tracefs operation failed, in terms a backend can report
// as "unsupported because…". Its values match the backend reason classes.
type Class string

const (
	// ClassMissingConfig: the kernel lacks the feature, usually a config
	// option (CONFIG_KPROBE_EVENTS, CONFIG_FUNCTION_TRACER…) or a version
	// too old for the tracefs file.
	ClassMissingConfig Class = "missing-config"
	// ClassPermission: the kernel refuses even root (EPERM, EACCES): kernel
	// lockdown, a restricted build, missing capabilities.
	ClassPermission Class = "permission"
	// ClassMissingSymbol: the probe point (a tracepoint, a kernel function,
	// a probe event) does not exist on this kernel.
	ClassMissingSymbol Class = "missing-symbol"
	// ClassBusy: the object exists already or is in use (EEXIST, EBUSY),
	// e.g. a leftover instance or a probe still enabled somewhere.
	ClassBusy Class = "busy"
	// ClassBadInput: the request, or bytes read from the kernel, are
	// malformed (EINVAL, an unparsable file, a corrupt page).
	ClassBadInput Class = "bad-input"
	// ClassNotMounted: tracefs is not mounted (Open mounts it).
	ClassNotMounted Class = "not-mounted"
	// ClassFailed: anything not classified above.
	ClassFailed Class = "failed"
)

// Error implements error so that a Class can be the target of errors.Is.
func (c Class) Error() string { return string(c) }

// Error is a failed tracefs operation: what was done (Op) to which file
// (Path), its class, and the cause (often a unix.Errno, so
// errors.Is(err, unix.EPERM) works too).
type Error struct {
	Class Class
	Op    string
	Path  string
	// Detail is the kernel's own explanation when it gives one (the last
	// line of tracefs error_log), or a hint about the cause.
	Detail string
	Err    error
}

func (e *Error) Error() string {
	s := "tracefs: " + e.Op
	if e.Path != "" {
		s += " " + e.Path
	}
	s += ": " + string(e.Class)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's Class.
func (e *Error) Is(target error) bool {
	c, ok := target.(Class)
	return ok && c == e.Class
}

// ClassOf returns the Class of the first *Error in err's chain, ClassFailed
// for any other non-nil error, and "" for nil.
func ClassOf(err error) Class {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ClassFailed
}

// classify maps a syscall error to a Class. ENOENT means "the kernel has no
// such file", which for a tracefs feature file is a missing config; callers
// that know better (an event directory) override it.
func classify(err error) Class {
	switch {
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		return ClassPermission
	case errors.Is(err, unix.EBUSY), errors.Is(err, unix.EEXIST):
		return ClassBusy
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.E2BIG):
		return ClassBadInput
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENODEV), errors.Is(err, unix.EOPNOTSUPP):
		return ClassMissingConfig
	}
	return ClassFailed
}

// wrap classifies err and names the operation and path. An
// *os.PathError is unwrapped to its errno: Error names the path itself.
func wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Class: classify(err), Op: op, Path: path, Err: err}
}

// badInput is an error in what the caller asked or what the kernel wrote.
func badInput(op, path, format string, args ...any) error {
	return &Error{Class: ClassBadInput, Op: op, Path: path, Err: fmt.Errorf(format, args...)}
}
