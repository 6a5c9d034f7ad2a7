// Package rawtp is the ebpf/rawtp backend: raw tracepoints
// (BPF_PROG_TYPE_RAW_TRACEPOINT, kernel 4.17+). Syscalls have no raw
// tracepoint of their own: one sys_enter hook sees every syscall of every
// process and filters by id, so its collateral cost on untraced syscalls
// is the point of the comparison.
package rawtp

import (
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/bpf"
)

// Name is the backend's name.
const Name = "ebpf/rawtp"

// New returns the backend.
func New() backends.Backend {
	return loader.NewRaw(loader.Raw{
		Name:     Name,
		Summary:  "raw tracepoints through eBPF: sys_enter filtered by syscall id, sched_process_exec",
		Load:     bpf.LoadRawTP,
		SysEnter: "rawtp_sys_enter",
		Exec:     "rawtp_exec",
		Attach: func(tp string) func(*ebpf.Program) (io.Closer, error) {
			return func(p *ebpf.Program) (io.Closer, error) {
				return link.AttachRawTracepoint(link.RawTracepointOptions{Name: tp, Program: p})
			}
		},
	})
}
