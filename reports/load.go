package reports

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tracebench/tracebench/results"
)

// loadFigure draws the load curves of `run --load`: coverage (seen share of
// what was produced) against the achieved event rate, one line per backend
// and mode, one panel per target and event that has a sweep. It returns
// nil when the run has none.
func loadFigure(x *index) *Figure {
	f := &Figure{
		Name:  "load",
		Title: "Coverage as the event rate rises",
		Guide: "Each point is a paced run, traced: events seen (% of produced) against the rate achieved. Loss begins where a line leaves 100%.",
		Width: 820, RowHeight: 240,
	}
	f.Legend = x.styles.legend()
	var panels []*plot.Plot
	for _, t := range x.run.Targets {
		for _, ev := range x.events {
			p := newPlot(fmt.Sprintf("%s — %s", t.Name, ev))
			any := false
			for _, s := range x.styles.series {
				c := x.ok(t.Name, s, ev)
				if c == nil || c.Load == nil || len(c.Load.Points) == 0 {
					continue
				}
				any = true
				pts := make(plotter.XYs, 0, len(c.Load.Points))
				for _, lp := range c.Load.Points {
					if lp.Produced > 0 && lp.AchievedHz > 0 {
						pts = append(pts, plotter.XY{X: lp.AchievedHz, Y: coveragePct(lp.Coverage)})
					}
				}
				sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
				line, dots, err := plotter.NewLinePoints(pts)
				if err != nil {
					continue
				}
				st := x.styles.style[s]
				line.Color, line.Width = st.line, vg.Points(1.2)
				dots.Color, dots.Shape, dots.Radius = st.line, draw.CircleGlyph{}, vg.Points(2.2)
				p.Add(line, dots)
			}
			if !any {
				continue
			}
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = plot.LogTicks{Prec: -1}
			p.X.Label.Text = "achieved events per second (log scale)"
			p.Y.Label.Text = "events seen, % of produced"
			p.Y.Min, p.Y.Max = 0, 105
			panels = append(panels, p)
		}
	}
	if len(panels) == 0 {
		return nil
	}
	f.Panels = inRows(panels, 2)
	return f
}

func coveragePct(c results.Coverage) float64 {
	return 100 * float64(c.Seen-c.Invalid) / float64(c.Produced)
}
