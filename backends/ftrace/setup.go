package ftrace

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/tracefs"
)

// Setup opens tracefs (mounting it if the system has not) and, per event,
// resolves the hook, defines its probe, creates its instance with the
// buffer size asked for and points the hook's pid filter at the
// workload's tasks. Nothing is enabled yet. It refuses to make any lasting
// change that Plan does not list for s.
func (b *Backend) Setup(ctx context.Context, s backends.Setup) (backends.SetupResult, error) {
	res := backends.SetupResult{ProbePoints: map[event.Event]string{}, Facts: map[string]string{}}
	if b.fs != nil {
		return res, errors.New("setup called twice")
	}
	start := time.Now()
	if s.Mode != backends.Count && s.Mode != backends.Stream {
		return res, backends.Unsupportedf(backends.NotApplicable, "%s has no mode %q", b.spec.Name, s.Mode)
	}
	if len(s.Events) == 0 {
		return res, errors.New("setup: no events")
	}
	if s.Filter.PID <= 0 {
		return res, fmt.Errorf("setup: %s filters by process and needs the workload's pid (Filter.PID)", b.spec.Name)
	}
	kb, err := bufferKB(s.Options)
	if err != nil {
		return res, err
	}
	plan, err := b.planFor(s)
	if err != nil {
		return res, err
	}
	fs, err := tracefs.Open(planned(plan))
	if err != nil {
		return res, unsupported(err)
	}
	b.fs, b.mode = fs, s.Mode
	for _, ev := range s.Events {
		tr := &trace{ev: ev}
		if err := b.prepare(tr, objectName(s.Tag, ev), kb, s.Filter.PID); err != nil {
			b.Teardown(ctx)
			return res, unsupported(fmt.Errorf("%s %s: %w", b.spec.Name, ev, err))
		}
		res.ProbePoints[ev] = tr.hook.ProbePoint
		got, err := tr.in.BufferSizeKB()
		if err != nil {
			b.Teardown(ctx)
			return res, err
		}
		res.Facts["buffer_kb"] = strconv.FormatUint(got, 10)
	}
	res.Duration = time.Since(start)
	return res, nil
}

// prepare sets tr up; whatever it made is in tr (and tr in b.traces) so
// that Teardown undoes it, also after a failure.
func (b *Backend) prepare(tr *trace, name string, kb uint64, pid int) error {
	h, err := b.spec.Resolve(b.fs, tr.ev, name)
	if err != nil {
		return err
	}
	tr.hook = h
	b.traces = append(b.traces, tr)
	if h.Probe != nil {
		if err := b.fs.AddProbe(*h.Probe); err != nil {
			return err
		}
		tr.defined = true
	}
	if tr.in, err = b.fs.NewInstance(name); err != nil {
		return err
	}
	if err := tr.in.SetBufferSizeKB(kb); err != nil {
		return err
	}
	if tr.id, err = b.fs.EventID(h.Records); err != nil {
		return err
	}
	if h.Prepare != nil {
		if err := h.Prepare(tr.in); err != nil {
			return err
		}
	}
	return followTasks(h, tr.in, pid)
}

// Teardown detaches if attached, removes the instances (which disables
// everything set in them), then the probes (the kernel refuses to remove
// an enabled probe), and unmounts tracefs if Setup mounted it.
func (b *Backend) Teardown(ctx context.Context) error {
	if b.fs == nil {
		return nil
	}
	var errs []error
	if b.attached {
		_, err := b.Detach(ctx)
		errs = append(errs, err)
	}
	for _, tr := range b.traces {
		errs = append(errs, tr.closeStream())
		if tr.in != nil {
			errs = append(errs, tr.in.Remove())
		}
		if tr.defined {
			errs = append(errs, b.fs.RemoveProbe(*tr.hook.Probe))
		}
	}
	errs = append(errs, b.fs.Unmount())
	b.fs, b.traces = nil, nil
	return errors.Join(errs...)
}
