package perf

import (
	"errors"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/internal/perfevent"
)

// Sampler is a sampling backend's attach and detach cycle: a session per
// attached period, whose tallies add up.
type Sampler struct {
	Sampling Sampling
	Task     perfevent.Task
	Options  SessionOptions

	session *Session
	tally   Tally
}

// Attach opens and starts a session.
func (s *Sampler) Attach() error {
	if s.session != nil {
		return errors.New("already attached")
	}
	x, err := Open(s.Sampling, s.Task, s.Options)
	if err != nil {
		return Unsupported(err)
	}
	if err := x.Start(); err != nil {
		x.Stop()
		return err
	}
	s.session = x
	return nil
}

// Detach stops the session, draining its rings, and adds what it saw.
func (s *Sampler) Detach() error {
	if s.session == nil {
		return nil
	}
	t, err := s.session.Stop()
	s.session = nil
	s.tally.Add(t)
	return err
}

// Counter is the samples received over the detached periods, with what
// they should have been (Tally.Account).
func (s *Sampler) Counter() backends.Counter {
	c := backends.Counter{Seen: s.tally.Samples}
	s.tally.Account(&c, s.Sampling)
	return c
}
