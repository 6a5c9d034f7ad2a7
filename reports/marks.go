package reports

import (
	"image/color"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/results"
)

// mark is one effect as a chart draws it.
type mark struct {
	present  bool // false: nothing measured here (the cell did not run)
	resolved bool
	y        analysis.Interval
}

// quantity chooses which figure of an effect a chart draws.
type quantity int

const (
	addedNs     quantity = iota // added ns per operation
	slowdownPct                 // 100 × (ratio − 1): the only figure under emulation
)

func markOf(e *results.Effect, q quantity) mark {
	if e == nil {
		return mark{}
	}
	m := mark{present: true, resolved: e.Resolved, y: analysis.AddedNs(e)}
	if q == slowdownPct {
		r := analysis.Ratio(e)
		m.y = analysis.Interval{Est: 100 * (r.Est - 1), Lo: 100 * (r.Lo - 1), Hi: 100 * (r.Hi - 1)}
	}
	return m
}

// extent is the part of the value axis a mark needs: its interval when
// resolved or bounded, nothing when unbounded (it then spans the axis).
func (m mark) extent() (lo, hi float64, ok bool) {
	if !m.present || !m.y.Bounded() {
		return 0, 0, false
	}
	return m.y.Lo, m.y.Hi, true
}

// drawWhisker draws a resolved mark's 95% CI as one path (stem and caps)
// in whiskerColor, at x in canvas coordinates.
func drawWhisker(c draw.Canvas, x, lo, hi, capW vg.Length) {
	var p vg.Path
	p.Move(vg.Point{X: x, Y: lo})
	p.Line(vg.Point{X: x, Y: hi})
	for _, y := range []vg.Length{lo, hi} {
		p.Move(vg.Point{X: x - capW, Y: y})
		p.Line(vg.Point{X: x + capW, Y: y})
	}
	c.SetLineStyle(draw.LineStyle{Color: whiskerColor, Width: vg.Points(0.9)})
	c.Stroke(p)
}

// drawHWhisker is drawWhisker lying down, at y from lo to hi.
func drawHWhisker(c draw.Canvas, y, lo, hi, capH vg.Length) {
	var p vg.Path
	p.Move(vg.Point{X: lo, Y: y})
	p.Line(vg.Point{X: hi, Y: y})
	for _, x := range []vg.Length{lo, hi} {
		p.Move(vg.Point{X: x, Y: y - capH})
		p.Line(vg.Point{X: x, Y: y + capH})
	}
	c.SetLineStyle(draw.LineStyle{Color: whiskerColor, Width: vg.Points(0.9)})
	c.Stroke(p)
}

// unresolvedLine is the dashed style of an unresolved interval.
func unresolvedLine(c color.Color) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(1.3), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
}

// drawUnresolved draws an unresolved mark as what it is: an interval that
// the measurement could not narrow down (dashed, over the whole axis when
// unbounded) topped by a "?", with no bar and no point at the estimate.
func drawUnresolved(c draw.Canvas, trY func(float64) vg.Length, x vg.Length, m mark, clr color.Color) {
	lo, hi := c.Min.Y, c.Max.Y
	if m.y.Bounded() {
		lo, hi = trY(m.y.Lo), trY(m.y.Hi)
	}
	c.StrokeLines(unresolvedLine(clr), c.ClipLinesY([]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}})...)
	top := min(hi, c.Max.Y-9)
	c.FillText(aligned(bold(textStyle(9, clr)), draw.XCenter, draw.YBottom), vg.Point{X: x, Y: top + 1}, "?")
}

// drawAbsent writes "n/a" where a series did not run.
func drawAbsent(c draw.Canvas, x, y vg.Length) {
	c.FillText(aligned(textStyle(6, grey), draw.XCenter, draw.YBottom), vg.Point{X: x, Y: y + 1}, "n/a")
}

// Legend marks shared by the charts of effects.
type whiskerThumb struct{}

func (whiskerThumb) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	ls := draw.LineStyle{Color: black, Width: vg.Points(0.9)}
	c.StrokeLine2(ls, x, c.Min.Y, x, c.Max.Y)
	c.StrokeLine2(ls, x-3, c.Min.Y, x+3, c.Min.Y)
	c.StrokeLine2(ls, x-3, c.Max.Y, x+3, c.Max.Y)
}

type unresolvedThumb struct{}

func (unresolvedThumb) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(unresolvedLine(grey), x, c.Min.Y, x, c.Max.Y)
}

func effectLegend() []LegendEntry {
	return []LegendEntry{
		{"95% confidence interval", whiskerThumb{}},
		{"? not resolved: only the interval is known (no bar, no number)", unresolvedThumb{}},
	}
}
