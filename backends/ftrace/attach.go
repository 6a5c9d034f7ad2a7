package ftrace

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tracebench/tracebench/backends"
)

// Attach enables every event's hook and, in stream mode, opens its reader
// (after the hook: a tracer cannot be switched while a reader is open).
func (b *Backend) Attach(context.Context) (time.Duration, error) {
	if b.fs == nil {
		return 0, errors.New("attach before setup")
	}
	if b.attached {
		return 0, errors.New("already attached")
	}
	start := time.Now()
	b.attached = true
	for _, tr := range b.traces {
		err := tr.hook.Enable(tr.in)
		if err == nil && b.mode == backends.Stream {
			tr.stream, err = openStream(tr.in, tr.id)
		}
		if err != nil {
			_, derr := b.Detach(context.Background())
			return 0, errors.Join(unsupported(fmt.Errorf("attach %s to %s: %w", tr.ev, tr.hook.ProbePoint, err)), derr)
		}
	}
	return time.Since(start), nil
}

// Detach disables every hook and, in stream mode, reads every record they
// wrote before it returns. The time returned is that of switching the
// hooks off, without the reading.
func (b *Backend) Detach(context.Context) (time.Duration, error) {
	if !b.attached {
		return 0, nil
	}
	b.attached = false
	var total time.Duration
	var errs []error
	for _, tr := range b.traces {
		d, err := tr.detach()
		total += d
		if err != nil {
			errs = append(errs, fmt.Errorf("detach %s from %s: %w", tr.ev, tr.hook.ProbePoint, err))
		}
	}
	return total, errors.Join(errs...)
}

// detach switches tr's hook off. A trace event is disabled, then its
// records are read. A tracer first stops recording (tracing_on 0), so that
// what its buffer holds and counts is final; then its records are read and
// its counters folded, and only then is it switched off, which resets the
// buffer.
func (tr *trace) detach() (time.Duration, error) {
	if !tr.hook.Tracer {
		start := time.Now()
		err := tr.hook.Disable(tr.in)
		d := time.Since(start)
		return d, errors.Join(err, tr.closeStream())
	}
	start := time.Now()
	if err := tr.in.SetTracingOn(false); err != nil {
		return 0, err
	}
	d := time.Since(start)
	errs := []error{tr.closeStream()}
	before, berr := tr.counted()
	start = time.Now()
	errs = append(errs, tr.hook.Disable(tr.in), tr.in.SetTracingOn(true))
	d += time.Since(start)
	after, aerr := tr.counted()
	if berr == nil && aerr == nil {
		tr.folded = tr.folded.plus(before.minus(after))
	}
	return d, errors.Join(append(errs, berr, aerr)...)
}

// closeStream stops tr's reader, if any, adding what it counted to tr.
func (tr *trace) closeStream() error {
	if tr.stream == nil {
		return nil
	}
	n, err := tr.stream.close()
	tr.seen += n
	tr.stream = nil
	return err
}
