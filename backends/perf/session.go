package perf

import (
	"errors"
	"fmt"

	"github.com/tracebench/tracebench/internal/perfevent"
)

// SampleType is what every sample of a session carries: enough to tell
// where and when it was taken and how many events it stands for. In
// frequency mode PERF_SAMPLE_PERIOD is safe: the kernel-adjusted period
// is what it reports (with a fixed period a software event would be
// sampled at every event, see perfevent.SamplerOptions).
const SampleType = perfevent.SampleIP | perfevent.SampleTID | perfevent.SampleTime | perfevent.SampleCPU | perfevent.SamplePeriod

// Session is one sampler, open from Attach to Detach, and the goroutine
// that reads its rings while it runs.
type Session struct {
	sampler   *perfevent.Sampler
	onSample  func(*perfevent.Sample)
	tally     Tally
	throttled map[uint32]uint64 // CPU → time of a throttle not yet lifted
	done      chan error
}

// SessionOptions are what a backend adds to a Sampling for a session.
type SessionOptions struct {
	// Branches asks for a branch stack with each sample (perf/lbr).
	Branches perfevent.BranchFilter
	// RingPages is each CPU's ring size in pages; 0 means 8.
	RingPages int
	// OnSample, when set, sees every sample in the reading goroutine.
	OnSample func(*perfevent.Sample)
}

// Open opens s's event, disabled, in scope task.
func Open(s Sampling, task perfevent.Task, o SessionOptions) (*Session, error) {
	sm, err := perfevent.OpenSampler(perfevent.SamplerOptions{
		Event: s.Event, Task: task, Frequency: s.Freq, SampleType: SampleType,
		Branches: o.Branches, RingPages: o.RingPages,
		// A wake-up per 16 samples: few enough wake-ups to cost little,
		// often enough that a ring of 8 pages holding a hundred plain
		// samples (or a ring of 64 holding a hundred branch stacks of
		// 32 entries) is read before it fills.
		WakeupEvents: 16,
	})
	if err != nil {
		return nil, err
	}
	return &Session{sampler: sm, onSample: o.OnSample, throttled: map[uint32]uint64{}}, nil
}

// FDs are the sampler's perf event file descriptors, one per CPU: where
// ebpf/perf_event attaches its program.
func (x *Session) FDs() []int { return x.sampler.FDs() }

// Start enables sampling and starts reading.
func (x *Session) Start() error {
	if err := x.sampler.Enable(); err != nil {
		return err
	}
	x.done = make(chan error, 1)
	go x.read()
	return nil
}

// read consumes the rings until Stop interrupts it.
func (x *Session) read() {
	for {
		werr := x.sampler.Wait(-1)
		if err := x.sampler.Read(x.record); err != nil {
			x.done <- err
			return
		}
		switch {
		case errors.Is(werr, perfevent.ErrInterrupted):
			x.done <- nil
			return
		case werr != nil && !errors.Is(werr, perfevent.ErrExited):
			x.done <- werr
			return
		}
	}
}

func (x *Session) record(r perfevent.Record) error {
	switch r := r.(type) {
	case *perfevent.Sample:
		x.tally.Samples++
		x.tally.Periods += r.Period
		if x.onSample != nil {
			x.onSample(r)
		}
	case *perfevent.Lost:
		x.tally.lostRecords += r.Count
	case *perfevent.LostSamples:
		x.tally.LostPMU += r.Count
	case *perfevent.Throttle:
		if !r.Unthrottle {
			x.tally.Throttles++
			x.throttled[r.CPU] = r.Time
		} else if t0, ok := x.throttled[r.CPU]; ok && r.Time > t0 {
			x.tally.ThrottledNs += r.Time - t0
			delete(x.throttled, r.CPU)
		}
	}
	return nil
}

// Stop disables the sampler, reads what is left in its rings and its
// totals, closes it, and returns what the session saw.
func (x *Session) Stop() (Tally, error) {
	errs := []error{x.sampler.Disable()}
	if x.done != nil {
		errs = append(errs, x.sampler.Interrupt(), <-x.done)
		x.done = nil
	}
	errs = append(errs, x.sampler.Read(x.record))
	tot, err := x.sampler.Totals()
	errs = append(errs, err, x.sampler.Close())
	x.tally.Count, x.tally.RunningNs, x.tally.ImplausibleRings = tot.Value, tot.Running, uint64(tot.Implausible)
	// PERF_FORMAT_LOST (6.0+) counts every drop; before it only the
	// PERF_RECORD_LOST records that found room to be written do.
	x.tally.LostRing = x.tally.lostRecords
	if tot.LostKnown {
		x.tally.LostRing = tot.Lost
	}
	if err := errors.Join(errs...); err != nil {
		return x.tally, fmt.Errorf("stop sampling: %w", err)
	}
	return x.tally, nil
}
