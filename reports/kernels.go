package reports

import (
	"fmt"
	"strings"

	"gonum.org/v1/plot"

	"github.com/tracebench/tracebench/analysis"
)

// kernelsFigure follows each backend's cost across the run's targets, in
// kernel order (5.10 → 6.1 → 6.18), one panel per event. Absolute times
// from emulated targets mean nothing, so when any target is emulated every
// point is the slowdown ratio, and the figure says so.
func kernelsFigure(x *index) *Figure {
	targets := analysis.ByKernel(x.run.Targets)
	q, label, ticks := addedNs, "added ns per event", unitTicks(nsTick)
	guide := "One point per target, kernels in version order: the median added cost per event with its 95% CI, per backend and mode."
	if emu := analysis.Emulated(x.run); len(emu) > 0 {
		q, label, ticks = slowdownPct, "slowdown, %", unitTicks(percentTick)
		var names []string
		for _, t := range emu {
			names = append(names, t.Name)
		}
		guide = fmt.Sprintf("One point per target, kernels in version order: the workload's slowdown in %% (95%% CI), a ratio because %s ran under emulation.", strings.Join(names, ", "))
	}
	f := &Figure{
		Name:  "kernels",
		Title: "The same backend across kernels",
		Guide: guide,
		Width: 820, RowHeight: 220,
	}
	f.Legend = append(x.styles.legend(), effectLegend()...)
	var names []string
	for _, t := range targets {
		names = append(names, fmt.Sprintf("Linux %s, %s\n%s", kernelShort(t.Host.KernelRelease), t.Host.Arch, t.Name))
	}
	n := len(x.styles.series)
	var panels []*plot.Plot
	for _, ev := range x.events {
		p := newPlot(ev.String())
		p.Add(zeroLine{})
		for s, ser := range x.styles.series {
			pts := &ciPoints{offset: 0.6 * (float64(s)/float64(max(n-1, 1)) - 0.5), style: x.styles.style[ser]}
			for _, t := range targets {
				var m mark
				if c := x.ok(t.Name, ser, ev); c != nil {
					m = markOf(c.Overhead, q)
				}
				pts.marks = append(pts.marks, m)
			}
			p.Add(pts)
		}
		padValueAxis(p)
		nominalX(p, names...)
		p.Y.Label.Text = label
		p.Y.Tick.Marker = ticks
		panels = append(panels, p)
	}
	f.Panels = inRows(panels, 2)
	return f
}

// kernelShort is a release's version: "5.10.0-35-amd64" → "5.10".
func kernelShort(release string) string {
	v := analysis.KernelVersion(release)
	if len(v) < 2 {
		return release
	}
	return fmt.Sprintf("%d.%d", v[0], v[1])
}
