package harness

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/stats"
	"github.com/tracebench/tracebench/workloads"
)

// Stop rule of the overhead measurement: a 95% CI half-width of at most
// 15% of the effect or 10 ns, with at least minSamples chunks per side and
// minPeriods on-periods, or the budget spent.
const (
	precisionRel = 0.15
	precisionAbs = 10.0
	minSamples   = 30
	minPeriods   = 4
)

// noiseFloorRel: an effect smaller than this fraction of the baseline is
// below what switching a backend on and off can resolve (cache and
// frequency effects of the switch itself), e.g. ~1 µs on a ~3 ms exec.
const noiseFloorRel = 3e-4

type toggleResult struct {
	off, on        []float64
	attach, detach []time.Duration
	effect         *results.Effect
}

// interval is a span of CLOCK_MONOTONIC time with the backend in one state.
type interval struct {
	start, end int64
	on         bool
}

// toggled runs load continuously while switching the backend on and off
// (really attaching and detaching), labels each chunk by the state it ran
// in entirely (chunks that span a switch are dropped), and estimates the
// added cost per operation.
func (c *cellRun) toggled(ctx context.Context, load workloads.Load, chunkOps int, nsPerOp float64, budget time.Duration) (toggleResult, error) {
	var (
		mu     sync.Mutex
		chunks []workloads.Chunk
		res    toggleResult
		// longest is the longest chunk so far: attached, a chunk can take
		// many times its detached length (audit: 10-30x).
		longest time.Duration
	)
	runDone := make(chan error, 1)
	go func() {
		_, err := c.agent.Run(ctx, workloads.RunSpec{Load: load, ChunkOps: chunkOps}, func(ch workloads.Chunk) {
			mu.Lock()
			chunks = append(chunks, ch)
			longest = max(longest, time.Duration(ch.End-ch.Start))
			mu.Unlock()
		})
		runDone <- err
	}()

	// One period is ~40 chunks (of the longest length seen, so that
	// chunks fit wholly in a period even when attaching slows them
	// down), jittered so it cannot beat with periodic activity on the
	// machine.
	chunk := time.Duration(float64(chunkOps) * nsPerOp)
	periodOf := func(chunk time.Duration) time.Duration {
		return min(max(40*chunk, 50*time.Millisecond), time.Second)
	}
	period := periodOf(chunk)
	rng := rand.New(rand.NewPCG(uint64(c.seq), 0x7472616365))
	deadline := time.Now().Add(budget)
	var ivs []interval
	on := false
	from := workloads.Monotonic()
	var effect stats.Effect
	periods := 0
	var loopErr error
	for {
		wait := time.Duration(float64(period) * (0.75 + 0.5*rng.Float64()))
		select {
		case err := <-runDone:
			return res, fmt.Errorf("workload ended during the overhead measurement: %w", err)
		case <-time.After(wait):
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			loopErr = ctx.Err()
			break
		}
		t0 := workloads.Monotonic()
		var d time.Duration
		var err error
		if on {
			err = c.h.call(ctx, c.proc, "detach", func(x context.Context) (err error) { d, err = c.proc.Detach(x); return })
			res.detach = append(res.detach, d)
		} else {
			err = c.h.call(ctx, c.proc, "attach", func(x context.Context) (err error) { d, err = c.proc.Attach(x); return })
			res.attach = append(res.attach, d)
		}
		t1 := workloads.Monotonic()
		if err != nil {
			loopErr = err
			break
		}
		ivs = append(ivs, interval{from, t0, on})
		from, on = t1, !on
		if on {
			continue
		}
		// A full off→on→off cycle has ended: is the estimate good enough?
		periods++
		mu.Lock()
		res.off, res.on = label(chunks, ivs)
		period = periodOf(max(chunk, longest))
		mu.Unlock()
		if len(res.off) >= minSamples && len(res.on) >= minSamples {
			effect, err = stats.Compare(res.off, res.on, c.statsOptions())
			if err == nil && periods >= minPeriods && effect.Precise(precisionRel, precisionAbs) {
				break
			}
		}
		c.status("%s: %d periods, %d+%d chunks, %s", load, periods, len(res.off), len(res.on), effect)
		if time.Now().After(deadline) {
			break
		}
	}
	if on { // never leave the backend attached
		c.h.call(context.Background(), c.proc, "detach", func(x context.Context) (err error) { _, err = c.proc.Detach(x); return })
	}
	if loopErr == nil && !on {
		// End on an off interval: the off sample otherwise holds only the
		// periods between two on intervals, none when a slow guest spent
		// the budget in one period.
		select {
		case err := <-runDone:
			return res, fmt.Errorf("workload ended during the overhead measurement: %w", err)
		case <-time.After(period):
		case <-ctx.Done():
		}
		ivs = append(ivs, interval{from, workloads.Monotonic(), false})
	}
	c.agent.Stop()
	if err := <-runDone; err != nil && loopErr == nil && ctx.Err() == nil {
		loopErr = err
	}
	if loopErr != nil {
		return res, loopErr
	}
	mu.Lock()
	res.off, res.on = label(chunks, ivs)
	mu.Unlock()
	effect, err := stats.Compare(res.off, res.on, c.statsOptions())
	if err != nil {
		return res, fmt.Errorf("overhead of %s: %w (%d chunks off, %d on)", load, err, len(res.off), len(res.on))
	}
	res.effect = toResultsEffect(effect)
	return res, nil
}

func (c *cellRun) statsOptions() stats.Options {
	return stats.Options{NoiseFloorRel: noiseFloorRel, Emulated: c.h.cfg.Emulated}
}

// label sorts chunks into off and on samples (ns per operation). A chunk
// counts only if it lies wholly inside one interval; the first interval is
// a warm-up and is dropped.
func label(chunks []workloads.Chunk, ivs []interval) (off, on []float64) {
	i := 0
	for _, ch := range chunks {
		for i < len(ivs) && ivs[i].end < ch.End {
			i++
		}
		if i == 0 || i >= len(ivs) || ch.Start < ivs[i].start {
			continue
		}
		if ivs[i].on {
			on = append(on, ch.NsPerOp())
		} else {
			off = append(off, ch.NsPerOp())
		}
	}
	return off, on
}

func toResultsEffect(e stats.Effect) *results.Effect {
	out := &results.Effect{
		BaselineNs: e.BaselineNs, AddedNs: e.AddedNs,
		CILowNs: e.CILowNs, CIHighNs: e.CIHighNs, PValue: e.PValue, Resolved: e.Resolved,
		Ratio: e.Ratio, RatioCILow: e.RatioCILow, RatioCIHigh: e.RatioCIHigh,
		NOn: e.NOn, NOff: e.NOff,
	}
	for _, w := range e.Warnings {
		out.Warnings = append(out.Warnings, w.Error())
	}
	// Too few samples give unbounded intervals, which JSON cannot carry;
	// such an effect is unresolved and its warnings say why.
	for _, f := range []*float64{&out.CILowNs, &out.CIHighNs, &out.RatioCILow, &out.RatioCIHigh} {
		if math.IsInf(*f, 0) || math.IsNaN(*f) {
			*f = 0
			out.Resolved = false
		}
	}
	return out
}

// subsample keeps at most n values, evenly spaced in time order, so a
// long cell's samples keep their distribution in a bounded file.
func subsample(xs []float64, n int) []float64 {
	if len(xs) <= n {
		return slices.Clone(xs)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = xs[i*len(xs)/n]
	}
	return out
}

func median(ds []time.Duration) int64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Nanoseconds()
}
