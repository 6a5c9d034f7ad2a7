package perfevent

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Task says which tasks an event follows and from when. The zero value
// follows the calling thread and starts at once.
type Task struct {
	// Pid is the task followed: a process id follows that process's main
	// thread, a thread id that thread, 0 the calling thread. Other threads
	// of the process are followed only through Inherit.
	Pid int
	// Inherit also follows every thread and process the followed tasks
	// create after the event was opened (attr.inherit); their counts are
	// added to the event when they exit.
	Inherit bool
	// ExcludeKernel counts user mode only. Unprivileged callers need it when
	// kernel.perf_event_paranoid >= 2.
	ExcludeKernel bool
	// Disabled opens the event stopped; Enable starts it.
	Disabled bool
	// EnableOnExec starts a Disabled event when the task calls execve(2),
	// so a freshly forked workload is followed from its first instruction.
	EnableOnExec bool
}

func (t Task) bits() uint64 {
	var b uint64
	if t.Inherit {
		b |= unix.PerfBitInherit
	}
	if t.ExcludeKernel {
		b |= unix.PerfBitExcludeKernel
	}
	if t.Disabled || t.EnableOnExec {
		b |= unix.PerfBitDisabled
	}
	if t.EnableOnExec {
		b |= unix.PerfBitEnableOnExec
	}
	return b
}

// newAttr returns the attributes common to every event this package opens.
// The size is x/sys's struct; older kernels accept a larger struct as long
// as the fields they do not know are zero (else E2BIG).
func newAttr(ev Event, t Task) unix.PerfEventAttr {
	return unix.PerfEventAttr{
		Type:   ev.Type,
		Config: ev.Config,
		Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Bits:   t.bits(),
	}
}

// open calls perf_event_open(2) and classifies its failure.
func open(ev Event, attr *unix.PerfEventAttr, pid, cpu, group int) (int, error) {
	fd, err := unix.PerfEventOpen(attr, pid, cpu, group, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return -1, openError(ev, attr, pid, err)
	}
	return fd, nil
}

// ioctl issues the perf event request req, named name in errors.
func ioctl(fd int, ev Event, name string, req uint, arg int) error {
	if err := unix.IoctlSetInt(fd, req, arg); err != nil {
		return &Error{Op: fmt.Sprintf("ioctl(%s)", name), Event: ev.Name, Err: err}
	}
	return nil
}
