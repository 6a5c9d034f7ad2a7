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
	// Cgroup, when set, follows every task in this cgroup directory and its
	// descendants instead of Pid, whatever threads and processes they
	// start, for as long as they stay in it: the event is opened once per
	// online CPU with PERF_FLAG_PID_CGROUP and counts while a task of the
	// cgroup runs there (CONFIG_CGROUP_PERF; on cgroup v2 since 4.11, where
	// the perf_event controller is implicit). Such CPU-wide events need
	// CAP_PERFMON or kernel.perf_event_paranoid <= 0. Inherit and
	// EnableOnExec do not apply.
	Cgroup string
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

// placement is one perf_event_open(2) of a Task's event: its pid (or
// cgroup fd), cpu and flags.
type placement struct {
	pid, cpu int
	flags    int
	cgroup   string // the cgroup's path, when pid is its fd
}

func (p placement) String() string {
	if p.cgroup != "" {
		return fmt.Sprintf("cgroup %s, cpu %d", p.cgroup, p.cpu)
	}
	if p.cpu >= 0 {
		return fmt.Sprintf("pid %d, cpu %d", p.pid, p.cpu)
	}
	return fmt.Sprintf("pid %d", p.pid)
}

// scope is where a Task's events are opened: one placement, or one per
// online CPU for a cgroup and for an inherited sampler (perCPU).
type scope struct {
	places   []placement
	cgroupFD int
}

// openScope resolves t into placements; close releases the cgroup's
// directory fd, which perf_event_open needs only while it runs.
func openScope(op string, ev Event, t Task, perCPU bool) (*scope, error) {
	s := &scope{cgroupFD: -1}
	if t.Cgroup == "" {
		if !perCPU {
			s.places = []placement{{pid: t.Pid, cpu: -1}}
			return s, nil
		}
		cpus, err := onlineCPUs()
		if err != nil {
			return nil, err
		}
		for _, cpu := range cpus {
			s.places = append(s.places, placement{pid: t.Pid, cpu: cpu})
		}
		return s, nil
	}
	if t.Pid != 0 || t.Inherit || t.EnableOnExec {
		return nil, &Error{Op: op, Event: ev.Name, Class: ErrInvalid,
			Err: fmt.Errorf("cgroup %s: Pid, Inherit and EnableOnExec do not apply to a cgroup", t.Cgroup)}
	}
	fd, err := unix.Open(t.Cgroup, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &Error{Op: "open cgroup " + t.Cgroup, Event: ev.Name, Class: ErrInvalid, Err: err}
	}
	s.cgroupFD = fd
	cpus, err := onlineCPUs()
	if err != nil {
		s.close()
		return nil, err
	}
	for _, cpu := range cpus {
		s.places = append(s.places, placement{pid: fd, cpu: cpu, flags: unix.PERF_FLAG_PID_CGROUP, cgroup: t.Cgroup})
	}
	return s, nil
}

func (s *scope) close() {
	if s.cgroupFD >= 0 {
		unix.Close(s.cgroupFD)
		s.cgroupFD = -1
	}
}

// open calls perf_event_open(2) and classifies its failure.
func open(ev Event, attr *unix.PerfEventAttr, p placement, group int) (int, error) {
	fd, err := unix.PerfEventOpen(attr, p.pid, p.cpu, group, unix.PERF_FLAG_FD_CLOEXEC|p.flags)
	if err != nil {
		return -1, openError(ev, attr, p, err)
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
