package perfevent_test

import (
	"errors"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/ebpf/perfevent"
	"github.com/tracebench/tracebench/event"
	hw "github.com/tracebench/tracebench/internal/perfevent"
	"github.com/tracebench/tracebench/internal/testutil"
)

var modes = []backends.Mode{backends.Count, backends.Stream}

// TestUnsupportedWithoutPMU: without a hardware PMU the default event,
// cycles, cannot be sampled: every event and mode is unsupported, no-pmu.
func TestUnsupportedWithoutPMU(t *testing.T) {
	testutil.RequireRoot(t)
	if err := hw.ProbeHardware(); !errors.Is(err, hw.ErrNoPMU) {
		t.Skipf("this kernel has a PMU: %v", err)
	}
	sup, err := perfevent.New().Probe(t.Context(), backends.ProbeRequest{Events: event.All, Modes: modes})
	if err != nil {
		t.Fatal(err)
	}
	if len(sup) != len(modes)*len(event.All) {
		t.Fatalf("%d answers", len(sup))
	}
	for _, s := range sup {
		if s.Reason == nil || s.Reason.Class != backends.NoPMU {
			t.Errorf("%s %s: %+v, want no-pmu", s.Mode, s.Event, s.Reason)
		}
	}
}

// TestSampleCPUClock attaches the programs to the workload's cpu-clock,
// sampled at 1 kHz, in both modes: the program must see samples — only the
// workload's (a noise process runs outside the cgroup) — no more than the
// event's running time calls for and, on a real CPU, not much fewer; in
// stream mode every record must carry the workload's pids.
func TestSampleCPUClock(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	opts := map[string]string{"sample_event": "cpu-clock", "sample_freq": "1000"}
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			r := backendtest.Run(t, perfevent.New(), backendtest.Case{Event: event.Getppid, Mode: mode, Ops: 1_000_000, Noise: true, Options: opts})
			c := r.Counter
			t.Logf("%d seen, %d lost, %d expected; totals %v", c.Seen, c.Lost, c.Expected, c.Totals)
			if !c.Sampling || c.Expected == 0 || c.Invalid != 0 {
				t.Fatalf("counter %+v: want sampling coverage, samples expected, none invalid", c)
			}
			taken := float64(c.Seen + c.Lost)
			if taken > 1.05*float64(c.Expected)+2 || taken < 0.5*float64(c.Expected) {
				t.Errorf("%d samples taken, %d expected", c.Seen+c.Lost, c.Expected)
			}
			if got := r.Setup.ProbePoints[event.Getppid]; got != "cpu-clock@1000Hz" {
				t.Errorf("probe point %q", got)
			}
			if n, ok := c.Totals["samples_received"]; !ok || n != 0 || c.Totals["sampled_event_running_ns"] == 0 {
				t.Errorf("totals %v: the program returns 0, so no sample may reach the perf ring", c.Totals)
			}
		})
	}
}
