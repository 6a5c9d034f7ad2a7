package reports

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ciPoints is one series of points with 95% CI whiskers at x = index +
// offset, joined by a thin line where consecutive points are resolved: a
// backend's cost followed across kernels. Unresolved points are drawn as
// ciBars draws them; missing ones are left out.
type ciPoints struct {
	offset float64
	marks  []mark
	style  seriesStyle
}

func (s *ciPoints) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	line := draw.LineStyle{Color: s.style.fill, Width: vg.Points(1.2)}
	for i := 1; i < len(s.marks); i++ {
		a, b := s.marks[i-1], s.marks[i]
		if a.present && a.resolved && b.present && b.resolved {
			pts := []vg.Point{{X: trX(float64(i-1) + s.offset), Y: trY(a.y.Est)}, {X: trX(float64(i) + s.offset), Y: trY(b.y.Est)}}
			c.StrokeLines(line, c.ClipLinesY(pts)...)
		}
	}
	for i, m := range s.marks {
		x := trX(float64(i) + s.offset)
		switch {
		case !m.present:
		case m.resolved:
			drawWhisker(c, x, trY(m.y.Lo), trY(m.y.Hi), 3)
			pt := vg.Point{X: x, Y: trY(m.y.Est)}
			c.DrawGlyph(draw.GlyphStyle{Color: s.style.fill, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, pt)
			c.DrawGlyph(draw.GlyphStyle{Color: s.style.line, Radius: vg.Points(3), Shape: draw.RingGlyph{}}, pt)
		default:
			drawUnresolved(c, trY, x, m, s.style.line)
		}
	}
}

// DataRange holds every point and bounded interval.
func (s *ciPoints) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = -0.5, float64(len(s.marks))-0.5
	ymin, ymax = 0, 0
	for _, m := range s.marks {
		if lo, hi, ok := m.extent(); ok {
			ymin, ymax = min(ymin, lo), max(ymax, hi)
		}
	}
	return xmin, xmax, ymin, ymax
}
