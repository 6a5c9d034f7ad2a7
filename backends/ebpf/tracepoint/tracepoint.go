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

// New returns the backend.
func New() backends.Backend {
	cands := map[event.Event][]string{}
	for ev, p := range backends.Tracepoints {
		cands[ev] = []string{p.String()}
	}
	return loader.New(loader.Spec{
		Name:       Name,
		Summary:    "static tracepoints through eBPF (BPF_PROG_TYPE_TRACEPOINT)",
		Load:       bpf.LoadTracepoint,
		Candidates: cands,
		Resolve:    resolve,
	})
}

// resolve hooks ev's tracepoint with program tp_<event> (bpf/tracepoint.c).
func resolve(ev event.Event, _ backends.Setup) (loader.Hook, error) {
	p, ok := backends.Tracepoints[ev]
	if !ok {
		return loader.Hook{}, backends.Unsupportedf(backends.NotApplicable, "no tracepoint for %s", ev)
	}
	return loader.Hook{
		Event:      ev,
		Program:    "tp_" + ev.String(),
		ProbePoint: p.String(),
		Attach: func(prog *ebpf.Program) (io.Closer, error) {
			return link.Tracepoint(p.Group, p.Name, prog, nil)
		},
	}, nil
}
