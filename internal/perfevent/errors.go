package perfevent

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// class is an error class. Unsupported classes also match
// errors.ErrUnsupported, so a caller that only asks "does this work here"
// needs one test.
type class struct {
	name        string
	unsupported bool
}

func (c *class) Error() string { return c.name }

func (c *class) Is(target error) bool {
	return c.unsupported && target == errors.ErrUnsupported
}

// Error classes. Test them with errors.Is.
var (
	// ErrNoPMU: the CPU (or the hypervisor) exposes no hardware performance
	// counters to this kernel: perf_event_open gives ENOENT, ENODEV or
	// EOPNOTSUPP for a hardware, cache or raw event and sysfs lists no
	// core PMU.
	ErrNoPMU error = &class{"no hardware PMU", true}
	// ErrNoHardwareEvent: there is a hardware PMU, but it does not count this
	// generic event or cannot sample it (ENOENT, EOPNOTSUPP). qemu's
	// emulated Arm PMU, for one, counts instructions only with -icount.
	ErrNoHardwareEvent error = &class{"the PMU does not count this event", true}
	// ErrNoBranchStack: no branch stack (Intel LBR, Arm BRBE, AMD BRS) for
	// this event or filter: EOPNOTSUPP with branch_sample_type set.
	ErrNoBranchStack error = &class{"no branch stack (LBR) support", true}
	// ErrUnknownEvent: the kernel knows no such software or tracepoint event
	// (ENOENT, EOPNOTSUPP).
	ErrUnknownEvent error = &class{"event not known to this kernel", true}
	// ErrMissingConfig: the kernel was built without what the call needs
	// (CONFIG_PERF_EVENTS, or tracefs and CONFIG_FTRACE_SYSCALLS for
	// tracepoint events).
	ErrMissingConfig error = &class{"missing kernel config", true}
	// ErrPermission: refused by kernel.perf_event_paranoid or missing
	// CAP_PERFMON / CAP_SYS_ADMIN (EACCES, EPERM).
	ErrPermission error = &class{"permission denied", false}
	// ErrInvalid: attributes the kernel (or this package, before asking it)
	// rejects, such as a frequency above kernel.perf_event_max_sample_rate.
	ErrInvalid error = &class{"invalid attributes", false}
)

// Error is a failed kernel call on a perf event, with its class.
type Error struct {
	Op     string // the kernel call, e.g. "perf_event_open" or "mmap"
	Event  string // the event's name
	Class  error  // one of the Err* classes, or nil when unclassified
	Detail string // what the class means here, e.g. "kernel.perf_event_paranoid=2"
	Err    error  // the errno or underlying error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Event != "" {
		b.WriteString(" " + e.Event)
	}
	if e.Class != nil {
		b.WriteString(": " + e.Class.Error())
	}
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap gives both the class and the errno to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Class, e.Err} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// openError classifies a failed perf_event_open of ev with attr at p.
func openError(ev Event, attr *unix.PerfEventAttr, p placement, err error) error {
	e := &Error{Op: "perf_event_open", Event: fmt.Sprintf("%s (%s)", ev, p), Err: err}
	branches := attr.Sample_type&unix.PERF_SAMPLE_BRANCH_STACK != 0
	if class, detail, ok := cgroupError(p, err); ok {
		e.Class, e.Detail = class, detail
		return e
	}
	switch {
	case errors.Is(err, unix.ENOSYS):
		e.Class, e.Detail = ErrMissingConfig, "CONFIG_PERF_EVENTS"
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		e.Class, e.Detail = ErrPermission, paranoidDetail(attr, p)
	case errors.Is(err, unix.EOPNOTSUPP) && branches:
		e.Class, e.Detail = ErrNoBranchStack, "branch_sample_type "+BranchFilter(attr.Branch_sample_type).String()
	case ev.Hardware() && (errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.EOPNOTSUPP)):
		e.Class = ErrNoPMU
		if core, _ := CorePMUs(); len(core) > 0 {
			e.Class, e.Detail = ErrNoHardwareEvent, "PMU "+core[0].Name
		}
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EOPNOTSUPP):
		e.Class = ErrUnknownEvent
	case errors.Is(err, unix.EINVAL):
		e.Class = ErrInvalid
	}
	return e
}

// paranoidDetail names the paranoid level that refused attr, and what the
// request would need (Documentation/admin-guide/sysctl/kernel.rst).
func paranoidDetail(attr *unix.PerfEventAttr, p placement) string {
	level, err := Paranoid()
	if err != nil {
		return "kernel.perf_event_paranoid unreadable: " + err.Error()
	}
	need := "CAP_PERFMON or a process you may ptrace"
	switch {
	case p.cgroup != "":
		need = "CAP_PERFMON or kernel.perf_event_paranoid <= 0 for a cgroup (CPU-wide) event"
	case attr.Bits&unix.PerfBitExcludeKernel == 0:
		need = "CAP_PERFMON or kernel.perf_event_paranoid <= 1 to include kernel mode (or exclude it)"
	}
	return fmt.Sprintf("kernel.perf_event_paranoid=%d; needs %s", level, need)
}
