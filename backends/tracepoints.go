package backends

import "github.com/tracebench/tracebench/event"

// Tracepoint names a static tracepoint: events/GROUP/NAME in tracefs.
type Tracepoint struct {
	Group, Name string
}

func (t Tracepoint) String() string { return t.Group + ":" + t.Name }

// Tracepoints are the static tracepoints of each event, shared by every
// tracepoint-based backend (eBPF, ftrace, front ends) so that frameworks
// are compared on the same probe points. Syscall tracepoints need
// CONFIG_FTRACE_SYSCALLS.
var Tracepoints = map[event.Event]Tracepoint{
	event.Getppid: {"syscalls", "sys_enter_getppid"},
	event.Openat:  {"syscalls", "sys_enter_openat"},
	event.Exec:    {"sched", "sched_process_exec"},
	event.Connect: {"syscalls", "sys_enter_connect"},
}
