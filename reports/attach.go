package reports

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tracebench/tracebench/results"
)

// phase is one of the timed steps of bringing a backend up and down.
type phase struct {
	name  string
	of    func(*results.Cell) int64
	shape draw.GlyphDrawer
	color color.Color
	dy    float64 // offset within the series' row
}

var phases = []phase{
	{"setup (load programs, instances)", func(c *results.Cell) int64 { return c.SetupNs }, draw.BoxGlyph{}, color.RGBA{0x55, 0x55, 0x55, 0xff}, 0.22},
	{"attach", func(c *results.Cell) int64 { return c.AttachNs }, draw.CircleGlyph{}, color.RGBA{0x1b, 0x9e, 0x77, 0xff}, 0},
	{"detach", func(c *results.Cell) int64 { return c.DetachNs }, draw.TriangleGlyph{}, color.RGBA{0xd9, 0x5f, 0x02, 0xff}, -0.22},
}

// attachFigure: setup, attach and detach time per backend and mode.
func attachFigure(x *index) *Figure {
	f := &Figure{
		Name:  "attach",
		Title: "Attach and detach time",
		Guide: "Mark: median over the events of a backend and mode (attach and detach are themselves medians over every toggle); line: fastest to slowest event. Log scale.",
		Width: 820, RowHeight: vg.Length(50 + 24*len(x.styles.series)),
	}
	for _, ph := range phases {
		f.Legend = append(f.Legend, LegendEntry{ph.name, phaseThumb(ph)})
	}
	var rowNames []string
	for _, s := range slices.Backward(x.styles.series) {
		rowNames = append(rowNames, s.String())
	}
	for _, t := range x.run.Targets {
		title := targetTitle(t)
		if t.Host.Emulated {
			title = t.Name + " (Linux " + t.Host.KernelRelease + ") — emulated: times are artefacts of the emulator"
		}
		p := newPlot(title)
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTimeTicks{}
		p.X.Label.Text = "time (log scale)"
		for _, ph := range phases {
			d := &rangeDots{phase: ph}
			n := len(x.styles.series)
			for i, s := range x.styles.series {
				var xs []float64
				for _, ev := range x.events {
					if c := x.ok(t.Name, s, ev); c != nil && ph.of(c) > 0 {
						xs = append(xs, float64(ph.of(c)))
					}
				}
				d.rows = append(d.rows, spread{y: float64(n-1-i) + ph.dy, xs: xs})
			}
			p.Add(d)
		}
		p.Add(absentRows(x, t.Name))
		nominalY(p, rowNames...)
		p.Y.Tick.Length = 0
		if math.IsInf(p.X.Min, 1) { // nothing ran on this target
			p.X.Min, p.X.Max = 1e3, 1e9
		}
		f.Panels = append(f.Panels, []*plot.Plot{p})
	}
	return f
}

// spread is a set of times drawn as their median and range.
type spread struct {
	y  float64
	xs []float64
}

// rangeDots draws one phase: per row its median as a glyph and its range
// as a line.
type rangeDots struct {
	phase phase
	rows  []spread
}

func (d *rangeDots) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	ls := draw.LineStyle{Color: d.phase.color, Width: vg.Points(1)}
	for _, r := range d.rows {
		if len(r.xs) == 0 {
			continue
		}
		y := trY(r.y)
		c.StrokeLine2(ls, trX(slices.Min(r.xs)), y, trX(slices.Max(r.xs)), y)
		c.DrawGlyph(draw.GlyphStyle{Color: d.phase.color, Radius: vg.Points(3), Shape: d.phase.shape}, vg.Point{X: trX(medianOf(r.xs)), Y: y})
	}
}

func (d *rangeDots) DataRange() (xmin, xmax, ymin, ymax float64) {
	// With no data, +Inf and -Inf leave the axis to the other phases.
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, r := range d.rows {
		for _, v := range r.xs {
			xmin, xmax = min(xmin, v/1.5), max(xmax, v*1.5)
		}
	}
	return xmin, xmax, -0.5, float64(len(d.rows)) - 0.5
}

func medianOf(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

type phaseThumb phase

func (t phaseThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(draw.LineStyle{Color: t.color, Width: vg.Points(1)}, c.Min.X, y, c.Max.X, y)
	c.DrawGlyph(draw.GlyphStyle{Color: t.color, Radius: vg.Points(3), Shape: t.shape}, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y})
}

// absentRows marks the rows of series that did not run on target.
func absentRows(x *index, target string) *notes {
	n := &notes{}
	for i, s := range x.styles.series {
		ran := false
		for _, ev := range x.events {
			ran = ran || x.ok(target, s, ev) != nil
		}
		if !ran {
			n.ys = append(n.ys, float64(len(x.styles.series)-1-i))
		}
	}
	return n
}

// notes writes "did not run" at the left of rows.
type notes struct{ ys []float64 }

func (n *notes) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	for _, y := range n.ys {
		c.FillText(aligned(textStyle(7.5, grey), draw.XLeft, draw.YCenter), vg.Point{X: c.Min.X + 4, Y: trY(y)}, "did not run")
	}
}
