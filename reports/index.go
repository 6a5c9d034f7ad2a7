package reports

import (
	"fmt"
	"slices"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

// index looks a run's cells up by key; charts draw from it.
type index struct {
	run    *results.Run
	cells  map[results.Key]*results.Cell
	events []event.Event
	styles styles
}

func newIndex(r *results.Run) *index {
	x := &index{run: r, cells: map[results.Key]*results.Cell{}, styles: newStyles(r)}
	for i := range r.Cells {
		c := &r.Cells[i]
		x.cells[c.Key()] = c
		if !slices.Contains(x.events, c.Event) {
			x.events = append(x.events, c.Event)
		}
	}
	slices.Sort(x.events)
	if len(x.events) == 0 {
		x.events = event.All // no cells: empty charts of every event
	}
	return x
}

// ok returns the cell if it ran.
func (x *index) ok(target string, s analysis.Series, ev event.Event) *results.Cell {
	c := x.cells[results.Key{Target: target, Backend: s.Backend, Mode: s.Mode, Event: ev}]
	if c == nil || c.Status != results.OK {
		return nil
	}
	return c
}

// seriesStyles lists the styles of every series, in order.
func (x *index) seriesStyles() []seriesStyle {
	out := make([]seriesStyle, len(x.styles.series))
	for i, s := range x.styles.series {
		out[i] = x.styles.style[s]
	}
	return out
}

func eventNames(evs []event.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.String()
	}
	return out
}

// targetTitle names a target with its kernel, flagging emulation.
func targetTitle(t results.Target) string {
	s := fmt.Sprintf("%s (Linux %s, %s)", t.Name, t.Host.KernelRelease, t.Host.Arch)
	if t.Host.Emulated {
		s += " — emulated: ratios only"
	}
	return s
}
