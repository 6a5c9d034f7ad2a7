package plan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
)

// Selection is what a run measures, as `tracebench run` and `tracebench
// plan` take it from their flags. Order matters: cells are enumerated
// targets first, then backends, modes and events, each in the order given.
type Selection struct {
	Targets  []vmtests.Target
	Backends []string
	Events   []event.Event
	Modes    []backends.Mode // empty: every mode each backend describes
	// CoverageOnly, CellBudget and GuestBudget set the cost of a cell.
	CoverageOnly bool
	CellBudget   time.Duration
	GuestBudget  time.Duration
}

// ErrUnknownModes is returned (wrapped) for a backend whose modes cannot
// be known without starting it: an external plugin with no --mode given.
var ErrUnknownModes = errors.New("modes of the backend are unknown")

// Modes returns the modes measured for a backend: those asked for, or the
// modes the built-in backend describes (asked in process: describing
// touches no kernel state).
func Modes(backend string, asked []backends.Mode) ([]backends.Mode, error) {
	if len(asked) > 0 {
		return asked, nil
	}
	b, err := builtin.New(backend)
	if err != nil {
		return nil, fmt.Errorf("backend %s: %w: it is not built in, so name its modes (--mode)", backend, ErrUnknownModes)
	}
	d, err := b.Describe(context.Background())
	if err != nil {
		return nil, fmt.Errorf("describe backend %s: %w", backend, err)
	}
	return d.Modes, nil
}

// Cells enumerates the selection's cells in canonical order.
func (s Selection) Cells() ([]results.Key, error) {
	var out []results.Key
	for _, t := range s.Targets {
		for _, b := range s.Backends {
			modes, err := Modes(b, s.Modes)
			if err != nil {
				return nil, err
			}
			for _, m := range modes {
				for _, ev := range s.Events {
					out = append(out, results.Key{Target: t.Name, Backend: b, Mode: string(m), Event: ev})
				}
			}
		}
	}
	return out, nil
}

func (s Selection) validate() error {
	switch {
	case len(s.Targets) == 0:
		return errors.New("plan: no target selected")
	case len(s.Backends) == 0:
		return errors.New("plan: no backend selected")
	case len(s.Events) == 0:
		return errors.New("plan: no event selected")
	}
	seen := map[string]bool{}
	for _, t := range s.Targets {
		if seen[t.Name] {
			return fmt.Errorf("plan: target %s selected twice", t.Name)
		}
		seen[t.Name] = true
	}
	return nil
}
