// Package hpc is the perf/hpc backend: the CPU's hardware performance
// counters (HPC) read through perf_event_open(2) on the workload's cgroup,
// in two modes.
//
//   - count: the cell's event is counted exactly by a perf counter on its
//     tracepoint (the probe points of ebpf/tracepoint, reached through perf
//     instead of eBPF: seen is that count), while the hardware counters —
//     by default instructions, cycles, branches, branch-misses and
//     cache-misses — count the workload beside it; their totals and their
//     values per event are the cell's facts. Beware: an eBPF program that
//     returns 0 on the same tracepoint, attached through perf (ebpf/tracepoint
//     does), drops the hit for every perf event on it, machine-wide: the
//     count is then short (unexplained), and the fact shadowed_by_bpf names
//     the programs found there at an attach or a detach.
//   - sample: a hardware event (cycles by default) is sampled at a
//     frequency, every sample read from per-CPU ring buffers. A sampler sees
//     a share of the workload's time, not each event: coverage is samples
//     received against samples expected from the frequency and the time the
//     event ran, with ring overflows, PMU drops and throttling
//     (kernel.perf_event_max_sample_rate) as losses.
//
// Without a PMU (this project's x86 host and guests) both modes are
// unsupported with class no-pmu. Options name other events (software ones,
// cpu-clock or task-clock, run anywhere), see OptCounters and package perf.
package hpc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/perf"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/perfevent"
	"github.com/tracebench/tracebench/kstate"
)

// Name is the backend's name.
const Name = "perf/hpc"

// Sample is the sampling mode; count mode is backends.Count.
const Sample backends.Mode = "sample"

// OptCounters lists the generic perf events counted beside the event in
// count mode, comma-separated; the default is DefaultCounters. Those the
// PMU lacks are left out (fact hpc_unavailable); if none is left the
// cell is unsupported.
const OptCounters = "counters"

// DefaultCounters are the hardware events counted by default.
var DefaultCounters = []perfevent.Event{perfevent.Instructions, perfevent.Cycles, perfevent.Branches, perfevent.BranchMisses, perfevent.CacheMisses}

// New returns the backend.
func New() backends.Backend { return &Backend{} }

// Backend implements backends.Backend.
type Backend struct {
	setUp  bool
	events []event.Event
	task   perfevent.Task
	count  *counting     // count mode
	sample *perf.Sampler // sample mode
}

func (b *Backend) Describe(context.Context) (backends.Description, error) {
	d := backends.Description{
		Name:    Name,
		Summary: "hardware counters through perf_event_open on the workload's cgroup: count (tracepoint count + HPC facts), sample (cycles at a frequency)",
		Modes:   []backends.Mode{backends.Count, Sample},
	}
	for _, ev := range event.All {
		if p, ok := backends.Tracepoints[ev]; ok {
			d.Probes = append(d.Probes, backends.ProbeSpec{Event: ev, Candidates: []string{p.String()}})
		}
	}
	return d, nil
}

// Probe sets up and attaches, for real, each mode and event on the
// plugin's own cgroup, and classifies what fails.
func (b *Backend) Probe(ctx context.Context, req backends.ProbeRequest) ([]backends.Support, error) {
	return perf.Probe(ctx, req, New, classify), nil
}

// classify gives every failure a class: a kernel's refusal its own, and
// anything else (a bad option, say) failed.
func classify(err error) *backends.Unsupported {
	if u := perf.Classify(err); u != nil {
		return u
	}
	return backends.Unsupportedf(backends.Failed, "%v", err)
}

// Plan: perf events live as long as their file descriptors, which die with
// the plugin process; nothing outlives it, so there is nothing to journal.
func (b *Backend) Plan(context.Context, backends.Setup) ([]kstate.Change, error) {
	return nil, nil
}

// Setup resolves the events and checks which counters the PMU has,
// opening each once (disabled) in the workload's cgroup.
func (b *Backend) Setup(_ context.Context, s backends.Setup) (backends.SetupResult, error) {
	if b.setUp {
		return backends.SetupResult{}, errors.New("setup called twice")
	}
	start := time.Now()
	res := backends.SetupResult{ProbePoints: map[event.Event]string{}, Facts: map[string]string{}}
	task, err := perf.Scope(s.Filter)
	if err != nil {
		return res, err
	}
	b.task, b.events = task, s.Events
	switch s.Mode {
	case backends.Count:
		b.count, err = newCounting(s, task, res)
	case Sample:
		b.sample, err = newSampler(s, task, res)
	default:
		return res, backends.Unsupportedf(backends.NotApplicable, "%s has no mode %q", Name, s.Mode)
	}
	if err != nil {
		return res, perf.Unsupported(err)
	}
	b.setUp = true
	res.Duration = time.Since(start)
	return res, nil
}

// newSampler reads the sampling options and checks that the event opens.
func newSampler(s backends.Setup, task perfevent.Task, res backends.SetupResult) (*perf.Sampler, error) {
	sampling, err := perf.ParseSampling(s.Options, perfevent.Cycles)
	if err != nil {
		return nil, err
	}
	if err := probeEvent(sampling.Event, task); err != nil {
		return nil, err
	}
	for _, ev := range s.Events {
		res.ProbePoints[ev] = fmt.Sprintf("%s@%dHz", sampling.Event, sampling.Freq)
	}
	for k, v := range sampling.Facts() {
		res.Facts[k] = v
	}
	return &perf.Sampler{Sampling: sampling, Task: task}, nil
}

// probeEvent opens ev once, disabled, in task's scope.
func probeEvent(ev perfevent.Event, task perfevent.Task) error {
	c, err := perfevent.OpenCounter(ev, task)
	if err != nil {
		return err
	}
	return c.Close()
}

func (b *Backend) Attach(context.Context) (time.Duration, error) {
	if !b.setUp {
		return 0, errors.New("attach before setup")
	}
	start := time.Now()
	if b.count != nil {
		if err := b.count.attach(b.task); err != nil {
			return 0, perf.Unsupported(err)
		}
		return time.Since(start), nil
	}
	err := b.sample.Attach()
	return time.Since(start), err
}

// Detach stops counting or sampling; in sample mode it first drains the
// rings of every sample taken, into the counters.
func (b *Backend) Detach(context.Context) (time.Duration, error) {
	start := time.Now()
	var err error
	switch {
	case b.count != nil:
		err = b.count.detach()
	case b.sample != nil:
		err = b.sample.Detach()
	}
	return time.Since(start), err
}

func (b *Backend) Counters(context.Context) (map[event.Event]backends.Counter, error) {
	if !b.setUp {
		return nil, errors.New("counters before setup")
	}
	if b.count != nil {
		return b.count.counters()
	}
	c := b.sample.Counter()
	out := map[event.Event]backends.Counter{}
	for _, ev := range b.events {
		out[ev] = c
	}
	return out, nil
}

func (b *Backend) Teardown(ctx context.Context) error {
	_, err := b.Detach(ctx)
	*b = Backend{}
	return err
}

func (b *Backend) Usage(context.Context) (backends.Usage, error) {
	return backends.SelfUsage()
}

// parseCounters reads OptCounters.
func parseCounters(opts map[string]string) ([]perfevent.Event, error) {
	v, ok := opts[OptCounters]
	if !ok {
		return DefaultCounters, nil
	}
	var out []perfevent.Event
	for _, name := range strings.Split(v, ",") {
		ev, found := perfevent.EventByName(strings.TrimSpace(name))
		if !found {
			return nil, fmt.Errorf("option %s=%q: %q is not a generic perf event", OptCounters, v, name)
		}
		out = append(out, ev)
	}
	return out, nil
}
