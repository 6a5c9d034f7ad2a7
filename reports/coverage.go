package reports

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/results"
)

// stateColors are the fills of the coverage heat map.
var stateColors = map[analysis.CoverageState]color.Color{
	analysis.Complete:    color.RGBA{0x8c, 0xd1, 0x7d, 0xff},
	analysis.Lost:        color.RGBA{0xf1, 0xce, 0x63, 0xff},
	analysis.Unexplained: color.RGBA{0xe1, 0x57, 0x59, 0xff},
	analysis.Invalid:     color.RGBA{0x8f, 0x5b, 0x8a, 0xff},
	analysis.NotMeasured: color.Gray{0xe8},
}

var stateMeaning = map[analysis.CoverageState]string{
	analysis.Complete:    "complete: every event seen",
	analysis.Lost:        "lost: dropped, counted by the backend",
	analysis.Unexplained: "unexplained: missed silently (or extra)",
	analysis.Invalid:     "invalid: seen with wrong values",
	analysis.NotMeasured: "not measured (did not run)",
}

// coverageFigure: a heat map of backends × events per target.
func coverageFigure(x *index) *Figure {
	f := &Figure{
		Name:  "coverage",
		Title: "Coverage and loss",
		Guide: "Each cell: the share of the events the workload produced that the backend saw, and what happened to the rest.",
		Width: 820, RowHeight: vg.Length(40 + 24*len(x.styles.series)),
	}
	for _, s := range analysis.States {
		f.Legend = append(f.Legend, LegendEntry{stateMeaning[s], fillThumb{stateColors[s]}})
	}
	var rowNames []string
	for _, s := range slices.Backward(x.styles.series) {
		rowNames = append(rowNames, s.String())
	}
	for _, t := range x.run.Targets {
		g := &grid{style: textStyle(7.5, black)}
		for _, s := range x.styles.series {
			var row []gridCell
			for _, ev := range x.events {
				c := x.cells[results.Key{Target: t.Name, Backend: s.Backend, Mode: s.Mode, Event: ev}]
				row = append(row, coverageCell(c))
			}
			g.cells = append(g.cells, row)
		}
		p := newPlot(targetTitle(t))
		p.Add(g)
		nominalX(p, eventNames(x.events)...)
		nominalY(p, rowNames...)
		p.X.Tick.Length, p.Y.Tick.Length = 0, 0
		f.Panels = append(f.Panels, []*plot.Plot{p})
	}
	return f
}

func coverageCell(c *results.Cell) gridCell {
	if c == nil {
		return gridCell{fill: stateColors[analysis.NotMeasured], lines: []string{"not in this run"}}
	}
	st := analysis.StateOf(*c)
	cell := gridCell{fill: stateColors[st]}
	cov := c.Coverage
	switch st {
	case analysis.NotMeasured:
		cell.lines = []string{string(c.Status)}
		if c.Reason != nil && c.Reason.Class != string(c.Status) {
			cell.lines = append(cell.lines, c.Reason.Class)
		}
		return cell
	case analysis.Complete:
		cell.lines = []string{fmt.Sprintf("100%% of %s", Count(cov.Produced))}
		return cell
	}
	cell.lines = []string{"seen " + share(cov.Seen, cov.Produced)}
	if cov.Lost != 0 {
		cell.lines = append(cell.lines, fmt.Sprintf("lost %s (%s)", share(cov.Lost, cov.Produced), Count(cov.Lost)))
	}
	if cov.Unexplained != 0 {
		cell.lines = append(cell.lines, "unexplained "+Count(cov.Unexplained))
	}
	if cov.Invalid != 0 {
		cell.lines = append(cell.lines, fmt.Sprintf("invalid %s of %s", Count(cov.Invalid), Count(cov.Seen)))
	}
	return cell
}

// share prints n/of as a percentage with the digits it needs to differ
// from 100% when n < of.
func share(n, of int64) string {
	if of == 0 {
		return "-"
	}
	p := 100 * float64(n) / float64(of)
	for _, prec := range []int{1, 2, 3, 4} {
		s := fmt.Sprintf("%.*f%%", prec, p)
		if n == of || (s != fmt.Sprintf("%.*f%%", prec, 100.0) && s != fmt.Sprintf("%.*f%%", prec, 0.0)) {
			return s
		}
	}
	return fmt.Sprintf("%.4f%%", p)
}
