// Package tpbtf is the ebpf/tp_btf backend: BTF-typed raw tracepoints
// (BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, kernel 5.5+): the raw
// tracepoint hooks with arguments typed by the kernel's BTF, which the
// kernel must therefore have (or be given).
package tpbtf

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/bpf"
	"github.com/tracebench/tracebench/event"
)

// Name is the backend's name.
const Name = "ebpf/tp_btf"

// New returns the backend.
func New() backends.Backend {
	return loader.New(loader.Spec{
		Name:       Name,
		Summary:    "BTF-typed raw tracepoints through eBPF: sys_enter filtered by syscall id, sched_process_exec",
		Load:       bpf.LoadTPBTF,
		Candidates: loader.RawCandidates(),
		Resolve: func(ev event.Event) (loader.Hook, error) {
			return loader.RawHook(ev, "tpbtf_sys_enter", "tpbtf_exec", func(string) func(*ebpf.Program) (link.Link, error) {
				return func(p *ebpf.Program) (link.Link, error) {
					return link.AttachTracing(link.TracingOptions{Program: p})
				}
			})
		},
	})
}
