// Package tpbtf is the ebpf/tp_btf backend: BTF-typed raw tracepoints
// (BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, kernel 5.5+): the raw
// tracepoint hooks with arguments typed by the kernel's BTF, which the
// kernel must therefore have (or be given).
package tpbtf

import (
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/bpf"
)

// Name is the backend's name.
const Name = "ebpf/tp_btf"

// New returns the backend. The attach target is in the program's section
// (tp_btf/NAME), resolved against BTF at load time.
func New() backends.Backend {
	return loader.NewRaw(loader.Raw{
		Name:     Name,
		Summary:  "BTF-typed raw tracepoints through eBPF: sys_enter filtered by syscall id, sched_process_exec",
		Load:     bpf.LoadTPBTF,
		SysEnter: "tpbtf_sys_enter",
		Exec:     "tpbtf_exec",
		Attach: func(string) func(*ebpf.Program) (io.Closer, error) {
			return func(p *ebpf.Program) (io.Closer, error) { return link.AttachTracing(link.TracingOptions{Program: p}) }
		},
	})
}
