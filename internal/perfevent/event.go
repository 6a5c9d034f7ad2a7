package perfevent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Event names what a perf event counts: perf_event_attr.type and .config.
type Event struct {
	Name   string
	Type   uint32
	Config uint64
}

func (e Event) String() string { return e.Name }

// Hardware reports whether the event needs a hardware PMU.
func (e Event) Hardware() bool {
	switch e.Type {
	case unix.PERF_TYPE_HARDWARE, unix.PERF_TYPE_HW_CACHE, unix.PERF_TYPE_RAW:
		return true
	}
	return false
}

// Generic hardware events: the kernel maps each to the PMU's own event code.
// A PMU may lack some (ENOENT, classified as [ErrNoHardwareEvent]).
var (
	Cycles       = Event{"cycles", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CPU_CYCLES}
	Instructions = Event{"instructions", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_INSTRUCTIONS}
	Branches     = Event{"branches", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_BRANCH_INSTRUCTIONS}
	BranchMisses = Event{"branch-misses", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_BRANCH_MISSES}
	CacheMisses  = Event{"cache-misses", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CACHE_MISSES}
)

// Software events, counted by the kernel itself on every machine.
var (
	// CPUClock samples by a per-CPU high-resolution timer: the software
	// stand-in for cycles.
	CPUClock = Event{"cpu-clock", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_CLOCK}
	// TaskClock counts nanoseconds the monitored tasks ran on a CPU.
	TaskClock = Event{"task-clock", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_TASK_CLOCK}
	// PageFaults counts entries into the architecture's user page fault
	// handler, major and minor.
	PageFaults      = Event{"page-faults", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_PAGE_FAULTS}
	ContextSwitches = Event{"context-switches", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CONTEXT_SWITCHES}
	CPUMigrations   = Event{"cpu-migrations", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_MIGRATIONS}
)

// tracefsDirs are where tracefs is usually mounted, newest convention first
// (/sys/kernel/tracing since 4.1).
var tracefsDirs = []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}

// Tracepoint returns the perf event of the kernel tracepoint group:name, for
// example "syscalls", "sys_enter_getppid" (CONFIG_FTRACE_SYSCALLS), reading
// its id from tracefs where it is usually mounted. A tracepoint event counts
// exactly how often the monitored tasks passed the tracepoint — unless an
// eBPF program is attached to the same tracepoint (through a perf event, as
// link.Tracepoint does) and returns 0: the kernel then drops the hit for
// every perf event on that tracepoint, machine-wide (perf_syscall_enter,
// perf_trace_run_bpf_submit), and the count silently stays 0. Measured on
// 6.18.
func Tracepoint(group, name string) (Event, error) {
	for _, dir := range tracefsDirs {
		if _, err := os.Stat(filepath.Join(dir, "events")); err == nil {
			return TracepointAt(dir, group, name)
		}
	}
	return Event{}, &Error{Op: "find tracefs", Event: group + ":" + name, Class: ErrMissingConfig,
		Detail: "tracefs not mounted at " + strings.Join(tracefsDirs, " or ") + ", or CONFIG_TRACING unset", Err: os.ErrNotExist}
}

// TracepointAt is Tracepoint with tracefs mounted at dir.
func TracepointAt(dir, group, name string) (Event, error) {
	ev := Event{Name: group + ":" + name, Type: unix.PERF_TYPE_TRACEPOINT}
	path := filepath.Join(dir, "events", group, name, "id")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Event{}, &Error{Op: "read " + path, Event: ev.Name, Class: ErrUnknownEvent, Err: err}
	}
	if errors.Is(err, os.ErrPermission) {
		// tracefs is root's alone by default (mode 0700).
		return Event{}, &Error{Op: "read " + path, Event: ev.Name, Class: ErrPermission, Detail: "tracefs is not readable by this user", Err: err}
	}
	if err != nil {
		return Event{}, fmt.Errorf("read %s: %w", path, err)
	}
	if ev.Config, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err != nil {
		return Event{}, fmt.Errorf("parse %s: %w", path, err)
	}
	return ev, nil
}

// Generic lists the events known by name, hardware then software.
var Generic = []Event{
	Cycles, Instructions, Branches, BranchMisses, CacheMisses,
	CPUClock, TaskClock, PageFaults, ContextSwitches, CPUMigrations,
}

// EventByName returns the generic event perf names name ("cycles",
// "cpu-clock"…).
func EventByName(name string) (Event, bool) {
	for _, ev := range Generic {
		if ev.Name == name {
			return ev, true
		}
	}
	return Event{}, false
}
