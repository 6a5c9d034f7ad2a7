package tracepoint_test

import (
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/bpftrace/tracepoint"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

// bpftrace counts exactly the workload's events, not the noise
// workload's, across restarts (each attachment is a new bpftrace).
func TestExactCoverage(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	for _, ev := range []event.Event{event.Getppid, event.Openat, event.Exec} {
		t.Run(ev.String(), func(t *testing.T) {
			ops := map[event.Event]int{event.Getppid: 100000, event.Openat: 50000, event.Exec: 200}[ev]
			r := backendtest.Exact(t, tracepoint.New(), backendtest.Case{Event: ev, Mode: backends.Count, Ops: ops, Noise: true, Toggles: 1})
			if got, want := r.Counter.Facts["tool_starts"], "2"; got != want {
				t.Errorf("tool_starts %q, want %q", got, want)
			}
			for _, k := range []string{"startup_ns", "startup_cpu_ns", "peak_rss_kb", "tool_cpu_ns"} {
				if r.Counter.Facts[k] == "" || r.Counter.Facts[k] == "0" {
					t.Errorf("fact %s = %q", k, r.Counter.Facts[k])
				}
			}
			if r.Setup.Facts["footprint_kb"] == "" {
				t.Errorf("no footprint: %v", r.Setup.Facts)
			}
		})
	}
}

// In stream mode bpftrace prints a line per event through its perf ring
// buffer: every event the workload produced is either printed or counted
// by bpftrace as lost, and none of the noise workload's is printed.
func TestStreamAccounts(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	r := backendtest.Run(t, tracepoint.New(), backendtest.Case{Event: event.Getppid, Mode: backends.Stream, Ops: 50000, Noise: true, Toggles: 1})
	if r.Counter.Seen+r.Counter.Lost != r.Produced {
		t.Errorf("seen %d + lost %d = %d, want produced %d", r.Counter.Seen, r.Counter.Lost, r.Counter.Seen+r.Counter.Lost, r.Produced)
	}
	t.Logf("seen %d lost %d of %d", r.Counter.Seen, r.Counter.Lost, r.Produced)
}
