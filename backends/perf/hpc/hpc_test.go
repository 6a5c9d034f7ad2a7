package hpc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/ebpf/tracepoint"
	"github.com/tracebench/tracebench/backends/perf/hpc"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/perfevent"
	"github.com/tracebench/tracebench/internal/testutil"
)

var ops = map[event.Event]int{event.Getppid: 200000, event.Openat: 100000, event.Exec: 300, event.Connect: 3000}

// TestUnsupportedWithoutPMU: where the kernel has no hardware PMU (this
// project's host), both modes of every event are unsupported with class
// no-pmu, found by really trying; where it has one, supported.
func TestUnsupportedWithoutPMU(t *testing.T) {
	testutil.RequireRoot(t)
	hw := perfevent.ProbeHardware()
	sup, err := hpc.New().Probe(t.Context(), backends.ProbeRequest{Events: event.All, Modes: []backends.Mode{backends.Count, hpc.Sample}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sup) != 2*len(event.All) {
		t.Fatalf("%d answers, want %d", len(sup), 2*len(event.All))
	}
	for _, s := range sup {
		switch {
		case errors.Is(hw, perfevent.ErrNoPMU) && (s.Reason == nil || s.Reason.Class != backends.NoPMU):
			t.Errorf("%s %s without a PMU: %+v, want unsupported no-pmu", s.Mode, s.Event, s.Reason)
		case hw == nil && s.Reason != nil:
			t.Errorf("%s %s with a PMU: %+v, want supported", s.Mode, s.Event, s.Reason)
		}
	}
}

// TestCountExact runs count mode with software counters (so it runs
// without a PMU too): the tracepoint count must equal what the workload
// produced, the noise process outside the cgroup must not count, and the
// counters must appear as facts, per event too.
func TestCountExact(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	opts := map[string]string{hpc.OptCounters: "task-clock,context-switches"}
	for _, ev := range event.All {
		t.Run(ev.String(), func(t *testing.T) {
			r := backendtest.Run(t, hpc.New(), backendtest.Case{Event: ev, Mode: backends.Count, Ops: ops[ev], Noise: true, Options: opts})
			if s := r.Counter.Facts["shadowed_by_bpf"]; s != "" && r.Counter.Seen != r.Produced {
				// Another process on this machine (another session's
				// tests) had an eBPF program on the tracepoint.
				t.Skipf("seen %d of %d while shadowed by %s", r.Counter.Seen, r.Produced, s)
			}
			if r.Produced != r.Want || r.Counter.Seen != r.Produced || r.Counter.Lost != 0 {
				t.Errorf("seen %d lost %d, want seen %d (produced %d)", r.Counter.Seen, r.Counter.Lost, r.Want, r.Produced)
			}
			if r.Counter.Sampling {
				t.Error("count mode reports sampling coverage")
			}
			if r.Counter.Totals["task-clock"] == 0 {
				t.Errorf("totals %v: want the task-clock while attached", r.Counter.Totals)
			}
			if got := r.Setup.Facts["hpc_counters"]; got != "task-clock,context-switches" {
				t.Errorf("hpc_counters %q", got)
			}
		})
	}
}

// TestShadowedByBPF shows the hazard of counting a tracepoint with perf
// while an eBPF program is on it: ebpf/tracepoint's program, attached with
// a filter that matches no process, returns 0 on every getppid of the
// machine, which drops the hit for perf too. The count must be zero, and
// the cell must name the program's link.
func TestShadowedByBPF(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	tp := tracepoint.New()
	if _, err := tp.Setup(t.Context(), backends.Setup{Events: []event.Event{event.Getppid}, Mode: backends.Count}); err != nil {
		t.Fatal(err)
	}
	defer tp.Teardown(t.Context())
	if _, err := tp.Attach(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := backendtest.Run(t, hpc.New(), backendtest.Case{Event: event.Getppid, Mode: backends.Count, Ops: 10000,
		Options: map[string]string{hpc.OptCounters: "task-clock"}})
	t.Logf("seen %d of %d; shadowed_by_bpf: %s", r.Counter.Seen, r.Produced, r.Counter.Facts["shadowed_by_bpf"])
	if r.Counter.Seen != 0 || r.Produced != 10000 || !strings.Contains(r.Counter.Facts["shadowed_by_bpf"], "syscalls:sys_enter_getppid: BPF link") {
		t.Errorf("seen %d of %d, facts %v: want none seen and the BPF link named", r.Counter.Seen, r.Produced, r.Counter.Facts)
	}
}

// TestSampleCPUClock samples the getppid workload's cpu-clock at 1 kHz:
// coverage is in samples, the samples taken (received and lost) can be
// no more than the time the event ran calls for, and not much fewer on a
// real CPU.
func TestSampleCPUClock(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	r := backendtest.Run(t, hpc.New(), backendtest.Case{
		Event: event.Getppid, Mode: hpc.Sample, Ops: 1_000_000,
		Options: map[string]string{"sample_event": "cpu-clock", "sample_freq": "1000"},
	})
	c := r.Counter
	t.Logf("%d samples, %d lost, %d expected; totals %v", c.Seen, c.Lost, c.Expected, c.Totals)
	if !c.Sampling || c.Expected == 0 {
		t.Fatalf("counter %+v: want sampling coverage with samples expected", c)
	}
	taken := float64(c.Seen + c.Lost)
	if taken > 1.05*float64(c.Expected)+2 || taken < 0.5*float64(c.Expected) {
		t.Errorf("%d samples taken, %d expected", c.Seen+c.Lost, c.Expected)
	}
	if r.Setup.ProbePoints[event.Getppid] != "cpu-clock@1000Hz" || c.Facts["sample_event"] != "cpu-clock" || c.Totals["samples_received"] != c.Seen {
		t.Errorf("probe point %q, facts %v, totals %v", r.Setup.ProbePoints[event.Getppid], c.Facts, c.Totals)
	}
}

func TestBadOptions(t *testing.T) {
	testutil.RequireRoot(t)
	for _, c := range []struct {
		mode backends.Mode
		opts map[string]string
	}{
		{backends.Count, map[string]string{hpc.OptCounters: "cycles,nope"}},
		{hpc.Sample, map[string]string{"sample_event": "syscalls:sys_enter_getppid"}},
		{hpc.Sample, map[string]string{"sample_event": "cpu-clock", "sample_freq": "0"}},
		{hpc.Sample, map[string]string{"sample_event": "cpu-clock", "sample_freq": "100000000"}},
	} {
		b := hpc.New()
		_, err := b.Setup(t.Context(), backends.Setup{Events: []event.Event{event.Getppid}, Mode: c.mode, Options: c.opts})
		if _, unsupported := backends.AsUnsupported(err); err == nil || unsupported {
			t.Errorf("%s %v: %v, want a plain error", c.mode, c.opts, err)
		}
		b.Teardown(t.Context())
	}
}
