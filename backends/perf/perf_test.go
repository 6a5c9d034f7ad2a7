package perf

import (
	"errors"
	"fmt"
	"maps"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/internal/perfevent"
)

// TestClassify maps each perfevent class, wrapped as the backends wrap
// it, to the backend's reason class.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		class error
		want  backends.Class
	}{
		{perfevent.ErrNoPMU, backends.NoPMU},
		{perfevent.ErrNoHardwareEvent, backends.NoPMU},
		{perfevent.ErrNoBranchStack, backends.NoPMU},
		{perfevent.ErrPermission, backends.Permission},
		{perfevent.ErrMissingConfig, backends.MissingConfig},
		{perfevent.ErrUnknownEvent, backends.MissingSymbol},
	} {
		err := fmt.Errorf("setup: %w", &perfevent.Error{Op: "perf_event_open", Event: "cycles", Class: c.class, Err: unix.ENOENT})
		u := Classify(err)
		if u == nil || u.Class != c.want {
			t.Errorf("%v: %+v, want class %s", c.class, u, c.want)
		}
		var got *backends.Unsupported
		if !errors.As(Unsupported(err), &got) || got.Class != c.want {
			t.Errorf("Unsupported(%v) = %v", err, Unsupported(err))
		}
	}
	for _, err := range []error{errors.New("option x: bad"), &perfevent.Error{Op: "read", Class: perfevent.ErrInvalid, Err: unix.EINVAL}} {
		if u := Classify(err); u != nil {
			t.Errorf("%v classified %+v, want nil (a failure, not a kernel's refusal)", err, u)
		}
		if Unsupported(err) != err {
			t.Errorf("Unsupported(%v) changed it", err)
		}
	}
}

// TestTally checks the sampling arithmetic: expected samples from the
// running time, throttled time as losses, totals and facts.
func TestTally(t *testing.T) {
	var a Tally
	a.Add(Tally{Samples: 900, Periods: 900_000, LostRing: 20, LostPMU: 5, Throttles: 2, ThrottledNs: 30_000_000, Count: 1_000_000, RunningNs: 1_000_000_000, ImplausibleRings: 1})
	a.Add(Tally{Samples: 95, Periods: 95_000, RunningNs: 100_000_000})
	c := backends.Counter{Seen: a.Samples}
	a.Account(&c, Sampling{Event: perfevent.Cycles, Freq: 1000})
	if !c.Sampling || c.Expected != 1100 || c.Lost != 20+5+30 || c.Seen != 995 {
		t.Errorf("counter %+v: want 995 seen, 55 lost of 1100 expected", c)
	}
	want := map[string]uint64{"samples_received": 995, "samples_lost_ring": 20, "samples_lost_pmu": 5, "throttles": 2,
		"samples_throttled_estimate": 30, "sampled_event_count": 1_000_000, "sampled_event_periods": 995_000, "sampled_event_running_ns": 1_100_000_000, "rings_implausible_times": 1}
	if !maps.Equal(c.Totals, want) {
		t.Errorf("totals %v, want %v", c.Totals, want)
	}
	if c.Facts["sample_event"] != "cycles" || c.Facts["sample_freq"] != "1000" {
		t.Errorf("facts %v", c.Facts)
	}
}
