// Coverage and support tests of every eBPF backend on the running kernel:
// supported (event, mode) pairs must see exactly what the workload produced
// and nothing of a concurrent noise process; unsupported ones must carry
// the class this kernel's configuration predicts.
package ebpf_test

import (
	"strings"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/backends/ebpf/kprobe"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

var ops = map[event.Event]int{event.Getppid: 200000, event.Openat: 100000, event.Exec: 300, event.Connect: 3000}

// allowed lists, per backend, the classes an unsupported answer may have on
// some kernel; anything else (in particular "failed") is a defect.
var allowed = map[string][]backends.Class{
	"ebpf/rawtp":        nil,
	"ebpf/tp_btf":       {backends.MissingBTF},
	"ebpf/kprobe":       {backends.MissingConfig, backends.MissingSymbol},
	"ebpf/kretprobe":    {backends.MissingConfig, backends.MissingSymbol},
	"ebpf/kprobe_multi": {backends.MissingConfig, backends.MissingSymbol},
	"ebpf/fentry":       {backends.Permission, backends.MissingSymbol, backends.MissingConfig, backends.MissingBTF},
	"ebpf/fexit":        {backends.Permission, backends.MissingSymbol, backends.MissingConfig, backends.MissingBTF},
}

func TestBackends(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	kprobesErr := kprobe.Available()
	for name, classes := range allowed {
		t.Run(name, func(t *testing.T) {
			b, err := builtin.New(name)
			if err != nil {
				t.Fatal(err)
			}
			sup, err := b.Probe(t.Context(), backends.ProbeRequest{Events: event.All, Modes: []backends.Mode{backends.Count, backends.Stream}})
			if err != nil {
				t.Fatal(err)
			}
			if len(sup) != 8 {
				t.Fatalf("%d answers, want 8", len(sup))
			}
			for _, s := range sup {
				if s.Reason != nil {
					if !contains(classes, s.Reason.Class) {
						t.Errorf("%s %s: unsupported with class %s (%s), want one of %v", s.Event, s.Mode, s.Reason.Class, s.Reason.Detail, classes)
					}
					isKprobe := strings.HasPrefix(name, "ebpf/kprobe") || name == "ebpf/kretprobe"
					if isKprobe && kprobesErr != nil && s.Reason.Class != backends.MissingConfig {
						t.Errorf("%s %s: kernel without kprobes gave %s, want missing-config", s.Event, s.Mode, s.Reason.Class)
					}
					continue
				}
				t.Run(string(s.Mode)+"/"+s.Event.String(), func(t *testing.T) {
					b, _ := builtin.New(name)
					r := backendtest.Exact(t, b, backendtest.Case{Event: s.Event, Mode: s.Mode, Ops: ops[s.Event], Noise: true})
					if r.Setup.ProbePoints[s.Event] != s.ProbePoint {
						t.Errorf("probe point %q at setup, %q at probe", r.Setup.ProbePoints[s.Event], s.ProbePoint)
					}
				})
			}
		})
	}
}

func contains(cs []backends.Class, c backends.Class) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}
