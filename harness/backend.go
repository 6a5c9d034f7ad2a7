package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/plugin"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/kstate"
	"github.com/tracebench/tracebench/results"
)

// pluginError is a plugin that died or hung during a call: its cell fails
// and the plugin is restarted for the next cell.
type pluginError struct {
	op     string
	hung   bool
	status string
	err    error
}

func (e *pluginError) Error() string {
	if e.hung {
		return fmt.Sprintf("backend plugin hung: %s did not return in time; killed", e.op)
	}
	return fmt.Sprintf("backend plugin died during %s (%s)", e.op, e.status)
}

func (e *pluginError) Unwrap() error { return e.err }

// call runs one plugin call with the per-call deadline and turns a dead or
// hung plugin into a *pluginError.
func (h *harness) call(ctx context.Context, proc *plugin.Process, op string, f func(context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, h.cfg.CallTimeout)
	defer cancel()
	err := f(cctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err() // the run was interrupted: not the plugin's fault
	}
	if (errors.Is(cctx.Err(), context.DeadlineExceeded) || plugin.TimedOut(err)) && !proc.Exited() {
		proc.Kill()
		return &pluginError{op: op, hung: true, err: err}
	}
	if proc.Exited() || waitExit(proc, 200*time.Millisecond) {
		return &pluginError{op: op, status: proc.ExitStatus(), err: err}
	}
	return err
}

// waitExit gives a crashing plugin a moment to be reaped, so that its
// death is told apart from an ordinary error.
func waitExit(proc *plugin.Process, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if proc.Exited() {
			return true
		}
	}
	return false
}

// runBackend measures every (mode, event) cell of one backend (of the
// run's shard).
func (h *harness) runBackend(ctx context.Context, name string) {
	if !h.wantsBackend(h.cfg.Target, name) {
		return
	}
	modes := h.cfg.Modes
	record := func(status results.Status, reason *results.Reason) {
		if len(modes) == 0 {
			modes = h.modesOf(name)
		}
		for _, m := range modes {
			for _, ev := range h.cfg.Events {
				if k := (results.Key{Target: h.cfg.Target, Backend: name, Mode: string(m), Event: ev}); !h.done[k] && h.wanted(k) {
					h.addCell(h.newCell(name, m, ev, status, reason))
				}
			}
		}
	}
	fail := func(reason *results.Reason) { record(results.Failed, reason) }
	h.cfg.Progress.Status("%s: starting plugin", name)
	proc, err := h.launch(name)
	if u, ok := backends.AsUnsupported(err); ok {
		record(results.Unsupported, &results.Reason{Class: string(u.Class), Detail: u.Detail})
		return
	}
	if err != nil {
		fail(&results.Reason{Class: string(backends.Failed), Detail: err.Error()})
		return
	}
	defer func() { proc.Kill() }()
	var desc backends.Description
	err = h.call(ctx, proc, "describe", func(c context.Context) (err error) { desc, err = proc.Describe(c); return })
	if err != nil {
		fail(&results.Reason{Class: string(backends.Failed), Detail: err.Error()})
		return
	}
	if len(modes) == 0 {
		modes = desc.Modes
	}
	h.cfg.Progress.Status("%s: probing kernel support", name)
	support, err := h.probe(ctx, proc, name, modes)
	if err != nil {
		fail(&results.Reason{Class: string(backends.Failed), Detail: err.Error()})
		return
	}
	for _, m := range modes {
		for _, ev := range h.cfg.Events {
			if ctx.Err() != nil {
				return
			}
			if k := (results.Key{Target: h.cfg.Target, Backend: name, Mode: string(m), Event: ev}); h.done[k] || !h.wanted(k) {
				continue
			}
			s := findSupport(support, ev, m)
			switch {
			case !slices.Contains(desc.Modes, m):
				h.addCell(h.newCell(name, m, ev, results.Unsupported, &results.Reason{Class: string(backends.NotApplicable), Detail: fmt.Sprintf("%s has no mode %q (modes: %v)", name, m, desc.Modes)}))
				continue
			case s == nil:
				h.addCell(h.newCell(name, m, ev, results.Failed, &results.Reason{Class: string(backends.Failed), Detail: "probe gave no answer for this event and mode"}))
				continue
			case s.Reason != nil:
				h.addCell(h.newCell(name, m, ev, results.Unsupported, &results.Reason{Class: string(s.Reason.Class), Detail: s.Reason.Detail}))
				continue
			}
			if proc.Exited() {
				if proc, err = h.launch(name); err != nil {
					h.addCell(h.newCell(name, m, ev, results.Failed, &results.Reason{Class: string(backends.Failed), Detail: "restart backend plugin: " + err.Error()}))
					continue
				}
			}
			cell, err := h.measure(ctx, proc, name, desc.Traits, m, ev)
			cell.ProbePoint = cmpOr(cell.ProbePoint, s.ProbePoint)
			var perr *pluginError
			if errors.As(err, &perr) {
				proc.Kill()
				if err := h.journal.UndoOwner(name); err != nil {
					fmt.Fprintf(h.cfg.Log, "restore state of crashed %s: %v\n", name, err)
				}
			}
			if ctx.Err() != nil {
				return // interrupted mid-cell: not final; left out so that a resume repeats it
			}
			h.addCell(cell)
		}
	}
}

// probe asks the backend which (event, mode) pairs this kernel supports.
// What a trial attach may change is journaled first and undone after.
func (h *harness) probe(ctx context.Context, proc *plugin.Process, name string, modes []backends.Mode) ([]backends.Support, error) {
	tag := "tbprobe" + shortID(h.cfg.RunID)
	var plan []kstate.Change
	err := h.call(ctx, proc, "plan", func(c context.Context) (err error) {
		plan, err = proc.Plan(c, backends.Setup{Events: h.cfg.Events, Mode: modes[0], Options: h.cfg.Options, Tag: tag})
		return
	})
	if err != nil {
		return nil, err
	}
	for _, ch := range plan {
		ch.Owner = name
		if _, err := h.journal.Record(ch); err != nil {
			return nil, err
		}
	}
	defer h.journal.UndoOwner(name)
	var support []backends.Support
	err = h.call(ctx, proc, "probe", func(c context.Context) (err error) {
		support, err = proc.Probe(c, backends.ProbeRequest{Events: h.cfg.Events, Modes: modes, Options: h.cfg.Options, Tag: tag})
		return
	})
	return support, err
}

func findSupport(ss []backends.Support, ev event.Event, m backends.Mode) *backends.Support {
	for i := range ss {
		if ss[i].Event == ev && ss[i].Mode == m {
			return &ss[i]
		}
	}
	return nil
}

func (h *harness) newCell(name string, m backends.Mode, ev event.Event, st results.Status, r *results.Reason) results.Cell {
	return h.newCellFor(h.cfg.Target, name, m, ev, st, r)
}

func (h *harness) newCellFor(target, name string, m backends.Mode, ev event.Event, st results.Status, r *results.Reason) results.Cell {
	return results.Cell{
		Target: target, Backend: name, Mode: string(m), Event: ev,
		Status: st, Reason: r, Emulated: h.cfg.Emulated, Machine: h.machine, Started: time.Now().UTC(),
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
