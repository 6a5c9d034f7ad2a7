package kprobe_test

import (
	"os"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/bpftrace/kprobe"
	ebpfkprobe "github.com/tracebench/tracebench/backends/ebpf/kprobe"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

// Without kprobes (the host) every event is unsupported as missing-config;
// with them, bpftrace counts the workload's getppid calls exactly.
func TestKprobe(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	if err := ebpfkprobe.Available(); err != nil {
		sup, err := kprobe.New().Probe(t.Context(), backends.ProbeRequest{Events: event.All, Modes: []backends.Mode{backends.Count}})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sup {
			if s.Reason == nil || s.Reason.Class != backends.MissingConfig {
				t.Errorf("%s: %v, want missing-config", s.Event, s.Reason)
			}
		}
		return
	}
	if _, err := os.Stat("/usr/bin/bpftrace"); err != nil {
		t.Skip("bpftrace is not installed")
	}
	backendtest.Exact(t, kprobe.New(), backendtest.Case{Event: event.Getppid, Mode: backends.Count, Ops: 20000, Noise: true})
}
