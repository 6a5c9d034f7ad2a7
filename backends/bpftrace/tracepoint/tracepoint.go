// Package tracepoint is the bpftrace/tracepoint backend: bpftrace's
// tracepoint provider (tracepoint:syscalls:sys_enter_getppid), the same
// static tracepoints that ebpf/tracepoint loads a CO-RE program on.
package tracepoint

import (
	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/bpftrace"
	"github.com/tracebench/tracebench/backends/frontend"
)

// Name is the backend's name.
const Name = "bpftrace/tracepoint"

// New returns the backend.
func New() backends.Backend {
	return frontend.New(bpftrace.Tool(Name, "bpftrace scripts counting static tracepoints (compiled by bpftrace's LLVM at each start)", "tracepoint", nil, nil))
}
