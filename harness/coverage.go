package harness

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/workloads"
)

// Coverage run sizes: enough operations to fill the share of the budget,
// never fewer than minCoverageOps (a count that small still shows a
// systematic miss) nor more than maxCoverageOps. The portability suite
// (coverage only) asks whether every event is seen, not at what rate a
// buffer overflows, so it stays under what the default buffers hold even
// when reader and workload share one CPU (a one-CPU guest): the load
// sweep measures the rest.
const (
	minCoverageOps         = 100
	maxCoverageOps         = 2_000_000
	maxPortabilityCoverage = 20_000
)

// coverage attaches the backend, runs the workload for an exact number of
// operations sized to the budget, detaches (which drains stream mode), and
// reconciles what the backend saw and lost with what the workload produced.
func (c *cellRun) coverage(ctx context.Context, load workloads.Load, chunkOps int, nsPerOp float64, budget time.Duration) (*results.Coverage, error) {
	n := int(float64(budget.Nanoseconds()) / nsPerOp / 2) // detached runs are faster: leave room
	n = min(max(n, minCoverageOps), maxCoverageOps)
	if c.h.cfg.CoverageOnly {
		n = min(n, maxPortabilityCoverage)
	}
	cov, err := c.covered(ctx, workloads.RunSpec{Load: load, ChunkOps: chunkOps, MaxChunks: max(1, n/chunkOps)})
	if err == nil && cov.Invalid > 0 {
		err = fmt.Errorf("%d of %d events seen carried wrong values (read through CO-RE: are the kernel types, BTF, those of this kernel?)", cov.Invalid, cov.Seen)
	}
	return cov, err
}

// covered runs spec with the backend attached and returns the coverage.
func (c *cellRun) covered(ctx context.Context, spec workloads.RunSpec) (*results.Coverage, error) {
	before, err := c.counters(ctx)
	if err != nil {
		return nil, err
	}
	var attach, detach time.Duration
	if err := c.h.call(ctx, c.proc, "attach", func(x context.Context) (err error) { attach, err = c.proc.Attach(x); return }); err != nil {
		return nil, err
	}
	c.status("coverage: %d operations", spec.MaxChunks*spec.ChunkOps)
	produced, runErr := c.agent.Run(ctx, spec, nil)
	err = c.h.call(ctx, c.proc, "detach", func(x context.Context) (err error) { detach, err = c.proc.Detach(x); return })
	if c.cell.Toggles == 0 { // no overhead measurement: these are the only timings
		c.cell.AttachNs, c.cell.DetachNs, c.cell.Toggles = attach.Nanoseconds(), detach.Nanoseconds(), 1
	}
	if runErr != nil {
		return nil, runErr
	}
	if err != nil {
		return nil, err
	}
	after, err := c.counters(ctx)
	if err != nil {
		return nil, err
	}
	seen := int64(after.Seen - before.Seen)
	lost := int64(after.Lost - before.Lost)
	cov := &results.Coverage{
		Produced:    int64(produced),
		Seen:        seen,
		Lost:        lost,
		Unexplained: int64(produced) - seen - lost,
		Invalid:     int64(after.Invalid - before.Invalid),
	}
	if after.Sampling {
		cov.Sampling, cov.Expected = true, int64(after.Expected-before.Expected)
		cov.Unexplained = cov.Expected - seen - lost
	}
	c.addFacts(after.Facts)
	totals := map[string]string{}
	for k, v := range after.Totals {
		totals[k] = strconv.FormatUint(v-before.Totals[k], 10)
	}
	c.addFacts(totals)
	return cov, nil
}

// addFacts adds to the cell's facts.
func (c *cellRun) addFacts(facts map[string]string) {
	if len(facts) > 0 && c.cell.Facts == nil {
		c.cell.Facts = map[string]string{}
	}
	for k, v := range facts {
		c.cell.Facts[k] = v
	}
}

func (c *cellRun) counters(ctx context.Context) (backends.Counter, error) {
	var m map[event.Event]backends.Counter
	err := c.h.call(ctx, c.proc, "counters", func(x context.Context) (err error) { m, err = c.proc.Counters(x); return })
	if err != nil {
		return backends.Counter{}, err
	}
	cnt, ok := m[c.ev]
	if !ok {
		return cnt, fmt.Errorf("backend reported no counter for %s", c.ev)
	}
	return cnt, nil
}
