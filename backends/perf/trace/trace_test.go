package trace_test

import (
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/perf/trace"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

// perf stat counts exactly the workload's events, not the noise
// workload's, across restarts.
func TestExactCoverage(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	for _, ev := range []event.Event{event.Getppid, event.Openat, event.Exec} {
		t.Run(ev.String(), func(t *testing.T) {
			ops := map[event.Event]int{event.Getppid: 100000, event.Openat: 50000, event.Exec: 200}[ev]
			r := backendtest.Exact(t, trace.New(), backendtest.Case{Event: ev, Mode: backends.Count, Ops: ops, Noise: true, Toggles: 1})
			if got, want := r.Counter.Facts["tool_starts"], "2"; got != want {
				t.Errorf("tool_starts %q, want %q", got, want)
			}
		})
	}
}
