package harness

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/workloads"
)

// loadSteps are the fractions of the workload's unpaced rate the load
// sweep runs at, ending unpaced (0): a geometric ladder from idle to
// saturation.
var loadSteps = []float64{1.0 / 1024, 1.0 / 256, 1.0 / 64, 1.0 / 16, 1.0 / 4, 1.0 / 2, 0}

// loadCurve runs the workload at rising rates with the backend attached,
// and records at each the coverage, to find the rate at which the backend
// starts to lose events (a buffer that its reader cannot empty fast
// enough, a queue that overflows).
func (c *cellRun) loadCurve(ctx context.Context, load workloads.Load, nsPerOp float64, budget time.Duration) (*results.Load, error) {
	maxHz := 1e9 / nsPerOp
	step := budget / time.Duration(len(loadSteps))
	out := &results.Load{}
	for _, f := range loadSteps {
		rate := f * maxHz
		// Paced runs go in ~1 ms chunks at the target rate; the unpaced
		// step in ~5 ms chunks and, traced, at a fraction of maxHz.
		ops, chunkOps := int(step.Seconds()*rate), max(1, int(rate/1000))
		if rate == 0 {
			ops, chunkOps = int(step.Seconds()*maxHz/4), max(1, int(maxHz/200))
		}
		ops = min(max(ops, minCoverageOps), maxCoverageOps)
		chunks := max(1, ops/chunkOps)
		c.status("load: %s at %.0f/s", load, rate)
		start := time.Now()
		cov, err := c.covered(ctx, workloads.RunSpec{Load: load, ChunkOps: chunkOps, MaxChunks: chunks, Rate: rate})
		if err != nil {
			return out, fmt.Errorf("load sweep at %.0f/s: %w", rate, err)
		}
		p := results.LoadPoint{TargetHz: rate, Coverage: *cov}
		p.AchievedHz = float64(cov.Produced) / time.Since(start).Seconds()
		out.Points = append(out.Points, p)
		if out.OnsetHz == 0 && (cov.Lost > 0 || cov.Unexplained != 0) {
			out.OnsetHz = math.Round(p.AchievedHz)
		}
	}
	return out, nil
}
