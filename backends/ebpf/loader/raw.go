package loader

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
)

// RawCandidates are the probe points of the raw tracepoint backends
// (ebpf/rawtp, ebpf/tp_btf): the generic syscall entry hook for syscalls,
// sched_process_exec for exec.
func RawCandidates() map[event.Event][]string {
	return map[event.Event][]string{
		event.Getppid: {"sys_enter (id getppid)"},
		event.Openat:  {"sys_enter (id openat)"},
		event.Exec:    {"sched_process_exec"},
		event.Connect: {"sys_enter (id connect)"},
	}
}

// RawHook is the hook of ev for a raw tracepoint backend whose programs
// are sysEnter (shared by the syscall events) and exec; attach makes the
// attach function for a tracepoint name.
func RawHook(ev event.Event, sysEnter, exec string, attach func(tp string) func(*ebpf.Program) (link.Link, error)) (Hook, error) {
	switch ev {
	case event.Getppid, event.Openat, event.Connect:
		return Hook{Event: ev, Program: sysEnter, ProbePoint: "sys_enter", Attach: attach("sys_enter")}, nil
	case event.Exec:
		return Hook{Event: ev, Program: exec, ProbePoint: "sched_process_exec", Attach: attach("sched_process_exec")}, nil
	}
	return Hook{}, backends.Unsupportedf(backends.NotApplicable, "no raw tracepoint for %s", ev)
}
