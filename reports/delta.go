package reports

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/event"
)

var (
	slower = color.RGBA{0xc0, 0x39, 0x2b, 0xff}
	faster = color.RGBA{0x2e, 0x8b, 0x57, 0xff}
)

// CompareFigure draws the deltas of added cost per event of a comparison,
// one panel per event (and per unit: ns, or % change of the slowdown ratio
// for emulated cells), one row per cell.
func CompareFigure(c *analysis.Comparison) *Figure {
	f := &Figure{
		Name:  "compare",
		Title: fmt.Sprintf("Change of the added cost per event, run %s → %s", c.Old, c.New),
		Guide: "Point: new − old added cost (emulated cells: % change of the slowdown ratio); whisker: 95% CI; dashed ~: no significant change.",
		Width: 820,
		Legend: []LegendEntry{
			{"new costs more", fillThumb{slower}}, {"new costs less", fillThumb{faster}},
			{"95% confidence interval", whiskerThumb{}}, {"~ not significant", unresolvedThumb{}},
		},
	}
	type group struct {
		ev       event.Event
		emulated bool
	}
	var groups []group
	rows := map[group][]analysis.CellDelta{}
	for _, d := range c.Cells {
		if d.Added == nil {
			continue
		}
		g := group{d.Event, d.Emulated}
		if _, ok := rows[g]; !ok {
			groups = append(groups, g)
		}
		rows[g] = append(rows[g], d)
	}
	slices.SortStableFunc(groups, func(a, b group) int { return int(a.ev) - int(b.ev) })
	for _, g := range groups {
		f.RowHeights = append(f.RowHeights, vg.Length(60+15*len(rows[g])))
		title, unit, ticks := g.ev.String(), "new − old, ns per event", unitTicks(nsTick)
		if g.emulated {
			title, unit, ticks = g.ev.String()+" (emulated: ratios)", "change of the slowdown ratio, %", unitTicks(percentTick)
		}
		p := newPlot(title)
		d := &deltaRows{percent: g.emulated}
		var names []string
		for _, x := range rows[g] {
			d.deltas = append(d.deltas, *x.Added)
			names = append(names, x.Target+" "+x.Backend+" "+x.Mode)
		}
		p.Add(d)
		slices.Reverse(names)
		p.NominalY(names...)
		p.Y.Tick.Length = 0
		p.X.Label.Text = unit
		p.X.Tick.Marker = ticks
		f.Panels = append(f.Panels, []*plot.Plot{p})
	}
	return f
}

// deltaRows draws one difference per row, top first: a point and a
// whisker when significant, a dashed interval and "~" when not.
type deltaRows struct {
	deltas  []analysis.Difference
	percent bool // draw ratios as % change
}

func (d *deltaRows) value(x float64) float64 {
	if d.percent {
		return 100 * (x - 1)
	}
	return x
}

func (d *deltaRows) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if x := trX(0); x >= c.Min.X && x <= c.Max.X {
		c.StrokeLine2(draw.LineStyle{Color: lightGrey, Width: vg.Points(0.7)}, x, c.Min.Y, x, c.Max.Y)
	}
	n := len(d.deltas)
	for i, x := range d.deltas {
		y := trY(float64(n - 1 - i))
		lo, hi := trX(d.value(x.Lo)), trX(d.value(x.Hi))
		if !x.Significant {
			if math.IsInf(x.Lo, 0) || math.IsInf(x.Hi, 0) {
				lo, hi = c.Min.X, c.Max.X
			}
			c.StrokeLines(unresolvedLine(grey), c.ClipLinesX([]vg.Point{{X: lo, Y: y}, {X: hi, Y: y}})...)
			c.FillText(aligned(bold(textStyle(9, grey)), draw.XLeft, draw.YCenter), vg.Point{X: min(hi, c.Max.X-8) + 2, Y: y}, "~")
			continue
		}
		drawHWhisker(c, y, lo, hi, 3)
		clr := faster
		if d.value(x.Value) > 0 {
			clr = slower
		}
		c.DrawGlyph(draw.GlyphStyle{Color: clr, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, vg.Point{X: trX(d.value(x.Value)), Y: y})
	}
}

func (d *deltaRows) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, x := range d.deltas {
		if !math.IsInf(x.Lo, 0) && !math.IsInf(x.Hi, 0) {
			xmin, xmax = min(xmin, d.value(x.Lo)), max(xmax, d.value(x.Hi))
		}
	}
	if xmin == xmax {
		xmin, xmax = -1, 1
	}
	return xmin, xmax, -0.5, float64(len(d.deltas)) - 0.5
}
