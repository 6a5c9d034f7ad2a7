// Package kprobe is the bpftrace/kprobe backend: bpftrace's kprobe
// provider on the kernel function ebpf/kprobe probes for each event
// (resolved per kernel and architecture by internal/ksym). It needs
// CONFIG_KPROBES.
package kprobe

import (
	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/bpftrace"
	ebpfkprobe "github.com/tracebench/tracebench/backends/ebpf/kprobe"
	"github.com/tracebench/tracebench/backends/frontend"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
)

// Name is the backend's name.
const Name = "bpftrace/kprobe"

// New returns the backend.
func New() backends.Backend {
	return frontend.New(bpftrace.Tool(Name, "bpftrace scripts counting kprobes on kernel functions", "kprobe", ksym.Functions, resolve))
}

// resolve is the first of ev's functions this kernel has, once kprobes
// exist at all.
func resolve(ev event.Event) (string, error) {
	if err := ebpfkprobe.Available(); err != nil {
		return "", err
	}
	sym, err := ksym.FirstText(ksym.Functions(ev))
	if err != nil {
		return "", backends.Unsupportedf(backends.MissingSymbol, "%s: %v", ev, err)
	}
	return sym, nil
}
