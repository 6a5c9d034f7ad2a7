package trace_test

import (
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/perf/trace"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

// perf stat counts the workload's events, not the noise workload's,
// across restarts: exactly, or short by perf's own undercount.
func TestExactCoverage(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	for _, ev := range []event.Event{event.Getppid, event.Openat, event.Exec} {
		t.Run(ev.String(), func(t *testing.T) {
			ops := map[event.Event]int{event.Getppid: 100000, event.Openat: 50000, event.Exec: 200}[ev]
			r := backendtest.Run(t, trace.New(), backendtest.Case{Event: ev, Mode: backends.Count, Ops: ops, Noise: true, Toggles: 1})
			if r.Produced != r.Want || r.Counter.Lost != 0 || r.Counter.Seen > r.Produced {
				t.Fatalf("produced %d of %d, seen %d lost %d: the noise workload's events were counted, or perf lost some", r.Produced, r.Want, r.Counter.Seen, r.Counter.Lost)
			}
			if r.Counter.Seen < r.Produced {
				// Measured on the 6.18 host, with -p and with -G alike:
				// perf stat's count of an attachment is sometimes short
				// or zero. A result, not a test failure.
				t.Skipf("perf stat missed %d of %d events (an undercount of perf's own, see package trace)", r.Produced-r.Counter.Seen, r.Produced)
			}
			if got, want := r.Counter.Facts["tool_starts"], "2"; got != want {
				t.Errorf("tool_starts %q, want %q", got, want)
			}
		})
	}
}
