package perf

import "github.com/tracebench/tracebench/backends"

// Tally is what sampling sessions saw, added up over a cell's attached
// periods.
type Tally struct {
	Samples uint64 // received
	Periods uint64 // events the received samples stand for (their periods)
	// LostRing were dropped on a full ring; LostPMU by the PMU itself
	// (PERF_RECORD_LOST_SAMPLES, e.g. Intel PEBS).
	LostRing, LostPMU uint64
	// Throttles counts PERF_RECORD_THROTTLE: the kernel stopped the event
	// for exceeding kernel.perf_event_max_sample_rate, for ThrottledNs in
	// all (until the matching PERF_RECORD_UNTHROTTLE). Samples not taken
	// meanwhile are counted nowhere by the kernel.
	Throttles, ThrottledNs uint64
	// Count is the sampled event's count and RunningNs the time it was on
	// a counter: the time samples come from.
	Count, RunningNs uint64
	// ImplausibleRings counts rings whose times the kernel got wrong and
	// RunningNs leaves out (perfevent.Totals.Implausible): Expected then
	// undercounts.
	ImplausibleRings uint64

	lostRecords uint64 // PERF_RECORD_LOST counts, for kernels before 6.0
}

// Add adds o to t.
func (t *Tally) Add(o Tally) {
	t.Samples += o.Samples
	t.Periods += o.Periods
	t.LostRing += o.LostRing
	t.LostPMU += o.LostPMU
	t.Throttles += o.Throttles
	t.ThrottledNs += o.ThrottledNs
	t.Count += o.Count
	t.RunningNs += o.RunningNs
	t.ImplausibleRings += o.ImplausibleRings
}

// Expected is how many samples freq calls for over the running time.
func (t Tally) Expected(freq uint64) uint64 { return t.RunningNs / 1000 * freq / 1_000_000 }

// Throttled estimates the samples not taken while throttled.
func (t Tally) Throttled(freq uint64) uint64 { return t.ThrottledNs / 1000 * freq / 1_000_000 }

// Account makes c a sampling counter: the samples s expected, the losses
// (full rings, PMU drops, and the samples throttling skipped), each as a
// total too, and the sampling configuration as facts. Seen is the
// caller's: samples received, or what an eBPF program counted.
func (t Tally) Account(c *backends.Counter, s Sampling) {
	c.Sampling = true
	c.Expected = t.Expected(s.Freq)
	c.Lost += t.LostRing + t.LostPMU + t.Throttled(s.Freq)
	if c.Totals == nil {
		c.Totals = map[string]uint64{}
	}
	c.Totals["samples_received"] = t.Samples
	c.Totals["samples_lost_ring"] = t.LostRing
	c.Totals["samples_lost_pmu"] = t.LostPMU
	c.Totals["throttles"] = t.Throttles
	c.Totals["samples_throttled_estimate"] = t.Throttled(s.Freq)
	c.Totals["sampled_event_count"] = t.Count
	c.Totals["sampled_event_periods"] = t.Periods
	c.Totals["sampled_event_running_ns"] = t.RunningNs
	c.Totals["rings_implausible_times"] = t.ImplausibleRings
	if c.Facts == nil {
		c.Facts = map[string]string{}
	}
	for k, v := range s.Facts() {
		c.Facts[k] = v
	}
}
