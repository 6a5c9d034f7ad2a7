package harness

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/plugin"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/cgroup"
	"github.com/tracebench/tracebench/kstate"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/workloads"
)

// Budget shares of one cell's measurement time.
const (
	overheadShare   = 0.55
	collateralShare = 0.25
	coverageShare   = 0.20
)

// loginUIDBase: each cell's workload sets its audit login uid to
// loginUIDBase + the cell's number, a range no real login uses, so audit
// rules can select exactly the workload's process tree.
const loginUIDBase = 3_900_000_000

// cellRun is the state of one cell being measured.
type cellRun struct {
	h       *harness
	proc    *plugin.Process
	backend string
	traits  backends.Traits // as the running plugin described them
	mode    backends.Mode
	ev      event.Event
	seq     int
	cell    results.Cell
	group   *cgroup.Group
	agent   *workloads.Agent
	setUp   bool
}

// measure runs one cell. The returned error is what ended the cell early,
// already recorded in the cell's status; a *pluginError means the plugin
// must be restarted.
func (h *harness) measure(ctx context.Context, proc *plugin.Process, name string, traits backends.Traits, m backends.Mode, ev event.Event) (results.Cell, error) {
	c := &cellRun{h: h, proc: proc, backend: name, traits: traits, mode: m, ev: ev, seq: len(h.res.Cells) + 1}
	c.cell = h.newCell(name, m, ev, results.OK, nil)
	start := time.Now()
	err := c.steps(ctx)
	if cerr := c.cleanup(); cerr != nil && err == nil {
		err = cerr
	}
	c.cell.ElapsedNs = time.Since(start).Nanoseconds()
	if err != nil {
		c.cell.Status = results.Failed
		c.cell.Reason = &results.Reason{Class: string(backends.Failed), Detail: err.Error()}
		if u, ok := backends.AsUnsupported(err); ok {
			c.cell.Status = results.Unsupported
			c.cell.Reason = &results.Reason{Class: string(u.Class), Detail: u.Detail}
		}
	}
	return c.cell, err
}

func (c *cellRun) status(format string, args ...any) {
	c.h.cfg.Progress.Status("%s %s %s %s: %s", c.h.cfg.Target, c.backend, c.mode, c.ev, fmt.Sprintf(format, args...))
}

func (c *cellRun) steps(ctx context.Context) error {
	h := c.h
	budget := h.cfg.CellBudget
	if err := c.start(); err != nil {
		return err
	}
	setup := backends.Setup{
		Events: []event.Event{c.ev},
		Mode:   c.mode,
		Filter: backends.Filter{
			CgroupID: c.group.ID, CgroupPath: c.group.Path, PID: c.agent.PID(),
			LoginUID: c.agent.LoginUID(),
		},
		Options: h.cfg.Options,
		Tag:     fmt.Sprintf("tb%s_%d", shortID(h.cfg.RunID), c.seq),
	}
	var plan []kstate.Change
	if err := h.call(ctx, c.proc, "plan", func(x context.Context) (err error) { plan, err = c.proc.Plan(x, setup); return }); err != nil {
		return err
	}
	for _, ch := range plan {
		ch.Owner = c.backend
		if _, err := h.journal.Record(ch); err != nil {
			return err
		}
	}
	c.status("setting up")
	var res backends.SetupResult
	if err := h.call(ctx, c.proc, "setup", func(x context.Context) (err error) { res, err = c.proc.Setup(x, setup); return }); err != nil {
		return err
	}
	c.setUp = true
	if c.traits.Audit {
		// Setup has enabled audit, and a task forked before audit was
		// first enabled is never audited: the workload starts again,
		// with the same login uid (what audit rules select it by).
		c.agent.Close()
		if err := c.startAgent(); err != nil {
			return err
		}
	}
	c.cell.SetupNs = res.Duration.Nanoseconds()
	c.cell.ProbePoint = res.ProbePoints[c.ev]
	c.cell.Facts = res.Facts

	load := workloads.ForEvent(c.ev)
	nsPerOp, err := c.calibrate(ctx, load)
	if err != nil {
		return err
	}
	chunkOps := chunkOpsFor(nsPerOp)

	if h.cfg.CoverageOnly || h.cfg.Load {
		share := 1.0
		if h.cfg.Load {
			share = coverageShare
		}
		cov, err := c.coverage(ctx, load, chunkOps, nsPerOp, time.Duration(share*float64(budget)))
		c.cell.Coverage = cov
		if err != nil || !h.cfg.Load {
			return err
		}
		c.cell.Load, err = c.loadCurve(ctx, load, nsPerOp, time.Duration((1-share)*float64(budget)))
		return err
	}
	share := overheadShare
	if h.cfg.SkipCollateral {
		share += collateralShare
	}
	t, err := c.toggled(ctx, load, chunkOps, nsPerOp, time.Duration(share*float64(budget)))
	if err != nil {
		return err
	}
	c.cell.Overhead = t.effect
	c.cell.Samples = &results.Samples{Off: subsample(t.off, results.MaxSamples), On: subsample(t.on, results.MaxSamples)}
	c.cell.AttachNs, c.cell.DetachNs, c.cell.Toggles = median(t.attach), median(t.detach), len(t.attach)

	if !h.cfg.SkipCollateral {
		nsU, err := c.calibrate(ctx, workloads.Untraced)
		if err != nil {
			return err
		}
		t, err := c.toggled(ctx, workloads.Untraced, chunkOpsFor(nsU), nsU, time.Duration(collateralShare*float64(budget)))
		if err != nil {
			return err
		}
		c.cell.Collateral = t.effect
	}

	cov, err := c.coverage(ctx, load, chunkOps, nsPerOp, time.Duration(coverageShare*float64(budget)))
	c.cell.Coverage = cov
	if err != nil {
		return err
	}

	var u backends.Usage
	if err := h.call(ctx, c.proc, "usage", func(x context.Context) (err error) { u, err = c.proc.Usage(x); return }); err == nil {
		c.cell.BackendCPUNs = (u.User + u.System).Nanoseconds()
	}
	return nil
}

// start creates the workload's cgroup and agent, and moves the agent into
// the cgroup once its runtime has started (the Go runtime's own start-up
// syscalls, openat among them, must not be counted).
func (c *cellRun) start() error {
	h := c.h
	name := fmt.Sprintf("tracebench-%s-%d", shortID(h.cfg.RunID), c.seq)
	path := h.env.cgroupRoot + "/" + name
	if _, err := h.journal.Record(kstate.Change{Owner: c.owner(), Kind: kstate.Cgroup, Path: path, Note: "workload cgroup"}); err != nil {
		return err
	}
	g, err := cgroup.Create(h.env.cgroupRoot, name)
	if err != nil {
		return err
	}
	c.group = g
	return c.startAgent()
}

// startAgent starts the workload agent and moves it into the cell's cgroup.
func (c *cellRun) startAgent() error {
	h := c.h
	a, err := workloads.Start(h.cfg.Exe, h.cfg.AgentArgs, workloads.AgentConfig{CPU: h.env.workloadCPU, LoginUID: loginUIDBase + uint32(c.seq)})
	if err != nil {
		return err
	}
	c.agent = a
	return c.group.Add(a.PID())
}

// cleanup tears the backend down and stops the workload, then undoes, from
// the journal, whatever the backend and the cell changed.
func (c *cellRun) cleanup() error {
	h := c.h
	var errs []error
	if c.setUp && !c.proc.Exited() {
		ctx := context.Background()
		if err := h.call(ctx, c.proc, "teardown", func(x context.Context) error { return c.proc.Teardown(x) }); err != nil {
			errs = append(errs, err)
		}
	}
	if c.agent != nil {
		c.agent.Close()
	}
	if err := h.journal.UndoOwner(c.backend); err != nil {
		errs = append(errs, err)
	}
	if err := h.journal.UndoOwner(c.owner()); err != nil { // the cgroup
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// owner names the cell's own changes in the journal.
func (c *cellRun) owner() string { return fmt.Sprintf("harness/cell-%d", c.seq) }

// calibrate times a few chunks with the backend detached, to size chunks.
func (c *cellRun) calibrate(ctx context.Context, load workloads.Load) (float64, error) {
	var xs []float64
	_, err := c.agent.Run(ctx, workloads.RunSpec{Load: load, ChunkOps: 4, MaxChunks: 5}, func(ch workloads.Chunk) {
		xs = append(xs, ch.NsPerOp())
	})
	if err != nil {
		return 0, err
	}
	sort.Float64s(xs)
	return xs[len(xs)/2], nil
}

// chunkTarget is the duration of one timed chunk: long enough that the two
// clock readings and the report per chunk are negligible, short enough to
// give many samples per on/off period.
const chunkTarget = 5 * time.Millisecond

func chunkOpsFor(nsPerOp float64) int {
	return max(1, int(float64(chunkTarget.Nanoseconds())/nsPerOp))
}

func shortID(runID string) string {
	if len(runID) > 8 {
		return runID[len(runID)-8:]
	}
	return runID
}
