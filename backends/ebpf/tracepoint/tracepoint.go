// Package tracepoint is the ebpf/tracepoint backend: classic tracepoints
// (static probes compiled into the kernel) reached through eBPF programs of
// type BPF_PROG_TYPE_TRACEPOINT, attached with perf_event_open on the
// tracepoint's id (kernel 4.7+; syscall tracepoints need
// CONFIG_FTRACE_SYSCALLS).
package tracepoint

import (
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/bpf"
	"github.com/tracebench/tracebench/event"
)

// Name is the backend's name.
const Name = "ebpf/tracepoint"

// points maps each event to its tracepoint (group, name) and program.
var points = map[event.Event]struct{ group, name, prog string }{
	event.Getppid: {"syscalls", "sys_enter_getppid", "tp_getppid"},
	event.Openat:  {"syscalls", "sys_enter_openat", "tp_openat"},
	event.Exec:    {"sched", "sched_process_exec", "tp_exec"},
	event.Connect: {"syscalls", "sys_enter_connect", "tp_connect"},
}

// New returns the backend.
func New() backends.Backend {
	cands := map[event.Event][]string{}
	for ev, p := range points {
		cands[ev] = []string{p.group + ":" + p.name}
	}
	return loader.New(loader.Spec{
		Name:       Name,
		Summary:    "static tracepoints through eBPF (BPF_PROG_TYPE_TRACEPOINT)",
		Load:       bpf.LoadTracepoint,
		Candidates: cands,
		Resolve:    resolve,
	})
}

// Point is the tracepoint (group, name) that observes ev: the probe point
// of this backend, and of every backend that reaches tracepoints another
// way (perf/hpc counts them through perf).
func Point(ev event.Event) (group, name string, ok bool) {
	p, ok := points[ev]
	return p.group, p.name, ok
}

func resolve(ev event.Event, _ backends.Setup) (loader.Hook, error) {
	p, ok := points[ev]
	if !ok {
		return loader.Hook{}, backends.Unsupportedf(backends.NotApplicable, "no tracepoint for %s", ev)
	}
	return loader.Hook{
		Event:      ev,
		Program:    p.prog,
		ProbePoint: p.group + ":" + p.name,
		Attach: func(prog *ebpf.Program) (io.Closer, error) {
			return link.Tracepoint(p.group, p.name, prog, nil)
		},
	}, nil
}
