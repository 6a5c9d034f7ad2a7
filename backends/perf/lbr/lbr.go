// Package lbr is the perf/lbr backend: the CPU's record of its last taken
// branches (Intel LBR, Arm BRBE, AMD BRS), read through perf_event_open(2)
// as a branch stack with each sample of cycles on the workload's cgroup
// (PERF_SAMPLE_BRANCH_STACK). It reports what the branch stacks show of the
// workload: how many branches, into user space or the kernel, and in how
// many samples the system call entry and the event's own kernel function
// (package ksym's probe points) appear.
//
// Two modes, the two ways of filtering branches:
//
//   - any: every taken branch, user and kernel (PERF_SAMPLE_BRANCH_ANY),
//     where a system call shows as the branch into the kernel's entry;
//   - call_stack: the LBR as a call stack of the user code, calls pushed
//     and returns popped (PERF_SAMPLE_BRANCH_CALL_STACK, Intel Haswell+,
//     Linux 4.1+).
//
// Coverage is a sampler's: samples received against samples expected from
// the frequency and the time cycles ran (package perf).
//
// Not verified on hardware: no machine tracebench was developed on has a
// branch stack (no PMU on the x86 host and its guests; qemu's Arm PMU has
// no BRBE), so the backend is unsupported everywhere here and only its
// parsing and interpretation of branch records are tested, on records
// built from the perf_event ABI. Its results say so.
package lbr

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/perf"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
	"github.com/tracebench/tracebench/internal/perfevent"
	"github.com/tracebench/tracebench/kstate"
)

// Name is the backend's name.
const Name = "perf/lbr"

// The modes: which branches the hardware records.
const (
	Any       backends.Mode = "any"
	CallStack backends.Mode = "call_stack"
)

// Filters are each mode's branch_sample_type. save_type asks the kernel
// for each branch's type (4.14+), syscall among them.
var Filters = map[backends.Mode]perfevent.BranchFilter{
	Any:       perfevent.BranchAny | perfevent.BranchUser | perfevent.BranchKernel | perfevent.BranchTypeSave,
	CallStack: perfevent.BranchCallStack | perfevent.BranchUser | perfevent.BranchTypeSave,
}

// NotVerified is the fact every result of this backend carries.
const NotVerified = "no: no branch stack (LBR, BRBE) on the machines tracebench was developed on; only record parsing was tested"

// ringPages holds a hundred samples of 32 branches (800 bytes each) per CPU.
const ringPages = 32

// New returns the backend.
func New() backends.Backend { return &Backend{} }

// Backend implements backends.Backend.
type Backend struct {
	sampler *perf.Sampler
	events  []event.Event
	marks   []Landmark

	mu      sync.Mutex // the reading is written by the sampler's reading goroutine
	reading Reading
}

func (b *Backend) Describe(context.Context) (backends.Description, error) {
	d := backends.Description{
		Name:    Name,
		Summary: "branch stacks (LBR) with samples of cycles on the workload's cgroup: any branch, or the user call stack (not verified on hardware)",
		Modes:   []backends.Mode{Any, CallStack},
	}
	for _, ev := range event.All {
		d.Probes = append(d.Probes, backends.ProbeSpec{Event: ev, Candidates: []string{perfevent.Cycles.Name + " with branch stack"}})
	}
	return d, nil
}

// Probe sets up and attaches, for real, each mode and event on the
// plugin's own cgroup, and classifies what fails.
func (b *Backend) Probe(ctx context.Context, req backends.ProbeRequest) ([]backends.Support, error) {
	return perf.Probe(ctx, req, New, classify), nil
}

// classify gives every failure a class, and says that this backend never
// ran on hardware.
func classify(err error) *backends.Unsupported {
	u := perf.Classify(err)
	if u == nil {
		u = backends.Unsupportedf(backends.Failed, "%v", err)
	}
	return backends.Unsupportedf(u.Class, "%s (perf/lbr is not verified on hardware)", u.Detail)
}

// Plan: perf events die with their file descriptors, and so with the
// plugin: nothing to journal.
func (b *Backend) Plan(context.Context, backends.Setup) ([]kstate.Change, error) {
	return nil, nil
}

// Setup checks the mode, reads the options and the kernel's symbols, and
// finds the event's landmarks.
func (b *Backend) Setup(_ context.Context, s backends.Setup) (backends.SetupResult, error) {
	if b.sampler != nil {
		return backends.SetupResult{}, errors.New("setup called twice")
	}
	start := time.Now()
	res := backends.SetupResult{ProbePoints: map[event.Event]string{}, Facts: map[string]string{"verified_on_hardware": NotVerified}}
	filter, ok := Filters[s.Mode]
	if !ok {
		return res, backends.Unsupportedf(backends.NotApplicable, "%s has no mode %q", Name, s.Mode)
	}
	sampling, err := perf.ParseSampling(s.Options, perfevent.Cycles)
	if err != nil {
		return res, err
	}
	task, err := perf.Scope(s.Filter)
	if err != nil {
		return res, err
	}
	tab, err := ksym.KernelTable()
	if err != nil {
		return res, err
	}
	for _, ev := range s.Events {
		b.marks = append(b.marks, Landmarks(tab, ev)...)
		res.ProbePoints[ev] = sampling.Event.Name + " with branch stack " + filter.String()
	}
	for k, v := range sampling.Facts() {
		res.Facts[k] = v
	}
	res.Facts["branch_filter"] = filter.String()
	b.events = s.Events
	b.sampler = &perf.Sampler{Sampling: sampling, Task: task, Options: perf.SessionOptions{
		Branches: filter, RingPages: ringPages, OnSample: b.read,
	}}
	res.Duration = time.Since(start)
	return res, nil
}

// read interprets one sample's branch stack.
func (b *Backend) read(s *perfevent.Sample) {
	b.mu.Lock()
	b.reading.Add(s, b.marks)
	b.mu.Unlock()
}

func (b *Backend) Attach(context.Context) (time.Duration, error) {
	if b.sampler == nil {
		return 0, errors.New("attach before setup")
	}
	start := time.Now()
	err := b.sampler.Attach()
	return time.Since(start), err
}

// Detach stops sampling after draining the rings into the counters.
func (b *Backend) Detach(context.Context) (time.Duration, error) {
	if b.sampler == nil {
		return 0, nil
	}
	start := time.Now()
	err := b.sampler.Detach()
	return time.Since(start), err
}

func (b *Backend) Counters(context.Context) (map[event.Event]backends.Counter, error) {
	if b.sampler == nil {
		return nil, errors.New("counters before setup")
	}
	c := b.sampler.Counter()
	b.mu.Lock()
	for k, v := range b.reading.Totals(b.marks) {
		c.Totals[k] = v
	}
	b.mu.Unlock()
	for k, v := range Facts(b.marks) {
		c.Facts[k] = v
	}
	c.Facts["verified_on_hardware"] = NotVerified
	out := map[event.Event]backends.Counter{}
	for _, ev := range b.events {
		out[ev] = c
	}
	return out, nil
}

func (b *Backend) Teardown(ctx context.Context) error {
	_, err := b.Detach(ctx)
	b.sampler, b.events, b.marks, b.reading = nil, nil, nil, Reading{}
	return err
}

func (b *Backend) Usage(context.Context) (backends.Usage, error) {
	return backends.SelfUsage()
}
