package perf

import (
	"fmt"
	"strconv"

	"github.com/tracebench/tracebench/internal/perfevent"
)

// Options of sampling cells (Setup.Options and ProbeRequest.Options).
const (
	// OptSampleEvent names the event sampled: a generic perf event
	// ("cycles", "instructions", "cpu-clock"…). Each backend has its
	// default; a software event lets it run where there is no PMU.
	OptSampleEvent = "sample_event"
	// OptSampleFreq is the sampling frequency in Hz of the event's own
	// time (the kernel adjusts the period to it), at most
	// kernel.perf_event_max_sample_rate.
	OptSampleFreq = "sample_freq"
)

// DefaultFreq is the sampling frequency when none is given, lowered to
// kernel.perf_event_max_sample_rate when the kernel has lowered that
// below it (it does so by itself when sampling interrupts take too long,
// as they do under emulation).
const DefaultFreq = 1000

// Sampling is what a sampling cell samples, and how often.
type Sampling struct {
	Event perfevent.Event
	Freq  uint64 // Hz
}

// ParseSampling reads the sampling options, with def the backend's
// default event.
func ParseSampling(opts map[string]string, def perfevent.Event) (Sampling, error) {
	s := Sampling{Event: def, Freq: DefaultFreq}
	if name, ok := opts[OptSampleEvent]; ok {
		ev, found := perfevent.EventByName(name)
		if !found {
			return s, fmt.Errorf("option %s=%q: not a generic perf event (%s)", OptSampleEvent, name, eventNames())
		}
		s.Event = ev
	}
	max, err := perfevent.MaxSampleRate()
	if err != nil {
		return s, err
	}
	v, ok := opts[OptSampleFreq]
	if !ok {
		s.Freq = min(s.Freq, uint64(max))
		return s, nil
	}
	f, err := strconv.ParseUint(v, 10, 64)
	if err != nil || f == 0 || f > uint64(max) {
		return s, fmt.Errorf("option %s=%q: want a frequency in Hz from 1 to kernel.perf_event_max_sample_rate=%d", OptSampleFreq, v, max)
	}
	s.Freq = f
	return s, nil
}

func eventNames() string {
	s := ""
	for i, ev := range perfevent.Generic {
		if i > 0 {
			s += ", "
		}
		s += ev.Name
	}
	return s
}

// Facts describes the sampling configuration in a cell's facts, with the
// kernel's sampling rate limit, which it lowers by itself when sampling
// interrupts take too long.
func (s Sampling) Facts() map[string]string {
	f := map[string]string{"sample_event": s.Event.Name, "sample_freq": strconv.FormatUint(s.Freq, 10)}
	if max, err := perfevent.MaxSampleRate(); err == nil {
		f["perf_event_max_sample_rate"] = strconv.Itoa(max)
	}
	return f
}
