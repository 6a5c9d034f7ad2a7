package reports

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ciBars is a gonum/plot Plotter: one series of bars in data coordinates
// (so that several series can sit side by side in a group) with 95% CI
// whiskers. An unresolved value has no bar: only its interval is drawn,
// dashed, so that it cannot be read as a zero or as a number.
type ciBars struct {
	x, width float64 // centre of the first bar's group and bar width (data units)
	values   []ciValue
	color    color.Color
}

type ciValue struct {
	y, lo, hi float64
	resolved  bool
	present   bool // false: no measurement for this group (unsupported, failed)
}

func (b *ciBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	line := draw.LineStyle{Color: color.Black, Width: vg.Points(0.8)}
	dashed := draw.LineStyle{Color: b.color, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
	for i, v := range b.values {
		if !v.present {
			continue
		}
		x := b.x + float64(i)
		x0, x1 := trX(x-b.width/2), trX(x+b.width/2)
		xm := trX(x)
		if v.resolved {
			y0, y1 := trY(0), trY(v.y)
			rect := c.ClipPolygonY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			c.FillPolygon(b.color, rect)
			c.StrokeLines(line, c.ClipLinesY([]vg.Point{{X: xm, Y: trY(v.lo)}, {X: xm, Y: trY(v.hi)}})...)
			cap := (x1 - x0) / 4
			for _, y := range []float64{v.lo, v.hi} {
				c.StrokeLine2(line, xm-cap, trY(y), xm+cap, trY(y))
			}
			continue
		}
		c.StrokeLines(dashed, c.ClipLinesY([]vg.Point{{X: xm, Y: trY(v.lo)}, {X: xm, Y: trY(v.hi)}})...)
		c.DrawGlyph(draw.GlyphStyle{Color: b.color, Radius: vg.Points(3), Shape: draw.RingGlyph{}}, vg.Point{X: xm, Y: trY(v.y)})
	}
}

// DataRange makes the axes include every bar and whisker.
func (b *ciBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = b.x-b.width, b.x+float64(len(b.values)-1)+b.width
	for _, v := range b.values {
		if !v.present {
			continue
		}
		ymin, ymax = min(ymin, v.lo, v.y), max(ymax, v.hi, v.y)
	}
	return xmin, xmax, ymin, ymax
}

// Thumbnail draws the legend swatch.
func (b *ciBars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y}}
	c.FillPolygon(b.color, c.ClipPolygonY(pts))
}
