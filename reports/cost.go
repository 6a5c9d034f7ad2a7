package reports

import (
	"gonum.org/v1/plot"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

// effectOf picks the effect a cost chart draws from a cell.
type effectOf func(*results.Cell) *results.Effect

func overheadOf(c *results.Cell) *results.Effect   { return c.Overhead }
func collateralOf(c *results.Cell) *results.Effect { return c.Collateral }

// marks returns marks[series][group] of target, one group per event.
func (x *index) marks(target string, evs []event.Event, of effectOf, q quantity) [][]mark {
	out := make([][]mark, len(x.styles.series))
	for s, ser := range x.styles.series {
		for _, ev := range evs {
			var m mark
			if c := x.ok(target, ser, ev); c != nil {
				m = markOf(of(c), q)
			}
			out[s] = append(out[s], m)
		}
	}
	return out
}

// overheadFigure: added ns per event, one row of panels per target and a
// panel per event (each with its own scale: exec costs a thousand times
// what getppid does).
func overheadFigure(x *index) *Figure {
	f := &Figure{
		Name:  "overhead",
		Title: "Added cost per traced event",
		Guide: "Bar: median(on) − median(off) ns per event, per backend and mode; whisker: 95% CI; emulated targets show the slowdown in % instead.",
		Width: 820, RowHeight: 165,
	}
	f.Legend = append(x.styles.legend(), effectLegend()...)
	for _, t := range x.run.Targets {
		q, label, ticks := addedNs, "added ns per event", unitTicks(nsTick)
		if t.Host.Emulated {
			q, label, ticks = slowdownPct, "slowdown % (emulated)", unitTicks(percentTick)
		}
		var row []*plot.Plot
		for i, ev := range x.events {
			p := newPlot(t.Name + " · " + ev.String())
			groupedBars(p, x.marks(t.Name, []event.Event{ev}, overheadOf, q), x.seriesStyles())
			hideX(p)
			p.Y.Tick.Marker = ticks
			if i == 0 {
				p.Y.Label.Text = label
			}
			row = append(row, p)
		}
		f.Panels = append(f.Panels, row)
	}
	return f
}

// slowdownFigure: the relative slowdown of each workload, one panel per
// event (each with its own scale) and the targets side by side.
func slowdownFigure(x *index) *Figure {
	f := &Figure{
		Name:  "slowdown",
		Title: "Relative slowdown of each workload",
		Guide: "Bar: how much slower the workload ran with the backend attached, median(on) / median(off) − 1, in %; whisker: 95% CI.",
		Width: 820, RowHeight: 210,
	}
	f.Legend = append(x.styles.legend(), effectLegend()...)
	var names []string
	for _, t := range x.run.Targets {
		names = append(names, t.Name)
	}
	var panels []*plot.Plot
	for _, ev := range x.events {
		p := newPlot(ev.String() + " workload")
		marks := make([][]mark, len(x.styles.series))
		for _, t := range x.run.Targets {
			for s, m := range x.marks(t.Name, []event.Event{ev}, overheadOf, slowdownPct) {
				marks[s] = append(marks[s], m...)
			}
		}
		groupedBars(p, marks, x.seriesStyles())
		nominalX(p, names...)
		p.Y.Label.Text = "slowdown, %"
		p.Y.Tick.Marker = unitTicks(percentTick)
		panels = append(panels, p)
	}
	f.Panels = inRows(panels, 2)
	return f
}

// collateralFigure: what tracing one event costs every other syscall.
func collateralFigure(x *index) *Figure {
	f := &Figure{
		Name:  "collateral",
		Title: "Collateral cost on untraced syscalls",
		Guide: "Bar: time added to an untraced getuid() while the backend traces only the event below; hooks on every syscall (raw sys_enter) tax them all.",
		Width: 820, RowHeight: 190,
	}
	f.Legend = append(x.styles.legend(), effectLegend()...)
	for _, t := range x.run.Targets {
		q, label, ticks := addedNs, "added ns per getuid", unitTicks(nsTick)
		if t.Host.Emulated {
			q, label, ticks = slowdownPct, "getuid slowdown, %", unitTicks(percentTick)
		}
		p := newPlot(targetTitle(t))
		groupedBars(p, x.marks(t.Name, x.events, collateralOf, q), x.seriesStyles())
		nominalX(p, eventNames(x.events)...)
		p.X.Label.Text = "event traced meanwhile"
		p.Y.Label.Text = label
		p.Y.Tick.Marker = ticks
		f.Panels = append(f.Panels, []*plot.Plot{p})
	}
	return f
}
