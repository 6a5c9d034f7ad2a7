package harness_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/harness/harnesstest"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

// pmuTarget is the guest with a hardware PMU: qemu's emulated Arm PMUv3,
// which counts instructions (with -icount, set by the matrix) and cycles
// but keeps no branch stack.
const pmuTarget = "debian:6.1/arm64"

// TestPerfGuest runs the perf backends' cells in the arm64 guest, twice at
// once: with a 4 s budget sampling at 100 Hz, and with a 2 s budget
// sampling at 400 Hz (the coverage runs, sized to the budget, differ). In count mode perf/hpc must count every event
// exactly, and its instruction and cycle counts must grow with the
// workload's operations (icount makes them exact: their ratio between the
// runs must follow the ratio of operations); sampling at 400 Hz must take
// about four times the samples per cycle of 100 Hz (per cycle, not per
// operation: the size of a run depends on a short timing of the workload,
// which emulation makes erratic); ebpf/perf_event must see samples;
// perf/lbr must be unsupported, no-pmu, not verified on hardware.
func TestPerfGuest(t *testing.T) {
	cache := testutil.GuestCache(t)
	target := testutil.DefaultTarget(t, pmuTarget)
	type spec struct {
		budget   time.Duration
		freq     string
		backends []string
	}
	specs := []spec{
		{4 * time.Second, "100", []string{"perf/hpc", "ebpf/perf_event", "perf/lbr"}},
		{2 * time.Second, "400", []string{"perf/hpc"}},
	}
	runs := make([]*results.Run, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, s := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := harnesstest.Guests(t, cache, s.budget, target)
			cfg.Backends, cfg.Events, cfg.Options = s.backends, []event.Event{event.Getppid}, map[string]string{"sample_freq": s.freq}
			// The whole measurement but collateral, not the portability
			// mode: its coverage runs are capped, not sized to the budget.
			cfg.CoverageOnly, cfg.SkipCollateral = false, true
			cfg.RunID += fmt.Sprintf("-%d", i)
			runs[i], errs[i] = harness.Run(t.Context(), cfg)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	for _, r := range runs {
		if len(r.Targets) != 1 || !r.Targets[0].Host.HardwarePMU || !r.Targets[0].Host.Emulated || r.Targets[0].Host.ICount != target.ICount {
			t.Errorf("targets %+v: want one emulated guest with a PMU and icount %s", r.Targets, target.ICount)
		}
	}
	cell := func(r *results.Run, backend string, mode backends.Mode) results.Cell {
		t.Helper()
		for _, c := range r.Cells {
			if c.Backend == backend && c.Mode == string(mode) {
				t.Logf("%s %s %s: %s coverage %+v facts %v", c.Target, c.Backend, c.Mode, c.Status, c.Coverage, c.Facts)
				return c
			}
		}
		t.Fatalf("no %s %s cell", backend, mode)
		return results.Cell{}
	}

	// Count mode: exact, and hardware counts that follow the operations.
	counts := [2]results.Cell{cell(runs[0], "perf/hpc", backends.Count), cell(runs[1], "perf/hpc", backends.Count)}
	for _, c := range counts {
		if c.Status != results.OK || c.Coverage.Seen != c.Coverage.Produced || c.Coverage.Produced == 0 || c.Coverage.Lost != 0 {
			t.Fatalf("count cell %s %+v: want every event seen", c.Status, c.Coverage)
		}
	}
	ops := float64(counts[1].Coverage.Produced) / float64(counts[0].Coverage.Produced)
	for _, name := range []string{"instructions", "cycles"} {
		a, b := fact(t, counts[0], name), fact(t, counts[1], name)
		ratio := b / a / ops
		t.Logf("%s: %.0f for %d operations, %.0f for %d: %.3f of the operations' ratio %.2f",
			name, a, counts[0].Coverage.Produced, b, counts[1].Coverage.Produced, ratio, ops)
		if a < float64(counts[0].Coverage.Produced) || ratio < 0.85 || ratio > 1.15 {
			t.Errorf("%s: %.0f and %.0f for %.2fx the operations", name, a, b, ops)
		}
	}

	// Sample mode: about four times the samples per cycle at 400 Hz.
	samples := [2]results.Cell{cell(runs[0], "perf/hpc", "sample"), cell(runs[1], "perf/hpc", "sample")}
	var perCycle [2]float64
	for i, c := range samples {
		cv := c.Coverage
		if c.Status != results.OK || !cv.Sampling || cv.Seen == 0 {
			t.Fatalf("sample cell %s %+v: want samples", c.Status, cv)
		}
		if taken := float64(cv.Seen + cv.Lost); taken < 0.5*float64(cv.Expected) || taken > 1.5*float64(cv.Expected) {
			t.Errorf("%s Hz: %d samples taken, %d expected", specs[i].freq, cv.Seen+cv.Lost, cv.Expected)
		}
		perCycle[i] = float64(cv.Seen+cv.Lost) / fact(t, c, "sampled_event_count")
	}
	t.Logf("samples per 10⁹ cycles: %.1f at 100 Hz, %.1f at 400 Hz: ratio %.2f", 1e9*perCycle[0], 1e9*perCycle[1], perCycle[1]/perCycle[0])
	if r := perCycle[1] / perCycle[0]; r < 2 || r > 8 {
		t.Errorf("400 Hz took %.2f times the samples per cycle of 100 Hz, want about 4", r)
	}

	// eBPF on the sampled cycles: the program sees samples of the workload.
	for _, m := range []backends.Mode{backends.Count, backends.Stream} {
		c := cell(runs[0], "ebpf/perf_event", m)
		if cv := c.Coverage; c.Status != results.OK || !cv.Sampling || cv.Seen == 0 || cv.Invalid != 0 || float64(cv.Seen+cv.Lost) > 1.5*float64(cv.Expected) {
			t.Errorf("ebpf/perf_event %s: %s %+v", m, c.Status, c.Coverage)
		}
	}

	// No branch stack in qemu's PMU.
	for _, m := range []backends.Mode{"any", "call_stack"} {
		c := cell(runs[0], "perf/lbr", m)
		if c.Status != results.Unsupported || c.Reason.Class != string(backends.NoPMU) || !strings.Contains(c.Reason.Detail, "not verified on hardware") {
			t.Errorf("perf/lbr %s: %s %+v, want unsupported no-pmu, not verified on hardware", m, c.Status, c.Reason)
		}
	}
}

func fact(t *testing.T, c results.Cell, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(c.Facts[name], 64)
	if err != nil {
		t.Fatalf("%s %s: fact %s: %v (facts %v)", c.Backend, c.Mode, name, err, c.Facts)
	}
	return v
}

// TestPerfHost runs perf/hpc on the host, through its plugin, with software
// events (the host has no PMU): a count cell's counters reach the results
// as facts, and a sample cell's coverage is in samples, reconciled with
// the samples expected (unexplained = expected − seen − lost).
func TestPerfHost(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	cfg := config(t, event.Openat)
	cfg.Backends, cfg.Modes, cfg.CellBudget, cfg.CoverageOnly = []string{"perf/hpc"}, []backends.Mode{backends.Count, "sample"}, 2*time.Second, true
	cfg.Options = map[string]string{"counters": "task-clock", "sample_event": "cpu-clock", "sample_freq": "1000"}
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != 2 {
		t.Fatalf("%d cells, want 2", len(run.Cells))
	}
	for _, c := range run.Cells {
		cv := c.Coverage
		if c.Status != results.OK || cv == nil {
			t.Fatalf("%s: %s %+v", c.Mode, c.Status, c.Reason)
		}
		t.Logf("%s: coverage %+v facts %v", c.Mode, *cv, c.Facts)
		switch c.Mode {
		case string(backends.Count):
			if cv.Sampling || cv.Seen != cv.Produced || fact(t, c, "task-clock") <= 0 || c.ProbePoint != "syscalls:sys_enter_openat" {
				t.Errorf("count cell %+v, probe point %q", *cv, c.ProbePoint)
			}
		default:
			if !cv.Sampling || cv.Expected == 0 || cv.Unexplained != cv.Expected-cv.Seen-cv.Lost || fact(t, c, "samples_received") != float64(cv.Seen) || c.Facts["sample_event"] != "cpu-clock" {
				t.Errorf("sample cell %+v", *cv)
			}
		}
	}
}
