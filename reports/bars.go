package reports

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ciBars is one series of bars with 95% CI whiskers, one bar per group at
// x = group index + offset (data units), so several series sit side by
// side. A resolved mark is a bar and a whisker; an unresolved one is only
// its dashed interval and a "?", so it cannot be read as a zero or as a
// number; a missing one says "n/a".
type ciBars struct {
	offset, width float64
	marks         []mark
	style         seriesStyle
}

func (b *ciBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	zero := max(min(trY(0), c.Max.Y), c.Min.Y)
	for i, m := range b.marks {
		x := float64(i) + b.offset
		x0, x1, xm := trX(x-b.width/2), trX(x+b.width/2), trX(x)
		switch {
		case !m.present:
			drawAbsent(c, xm, zero)
		case m.resolved:
			bar := []vg.Point{{X: x0, Y: zero}, {X: x1, Y: zero}, {X: x1, Y: trY(m.y.Est)}, {X: x0, Y: trY(m.y.Est)}}
			c.FillPolygon(b.style.fill, c.ClipPolygonY(bar))
			if b.style.fill != b.style.line {
				c.StrokeLines(draw.LineStyle{Color: b.style.line, Width: vg.Points(0.6)}, c.ClipLinesY(append(bar, bar[0]))...)
			}
			drawWhisker(c, xm, trY(m.y.Lo), trY(m.y.Hi), (x1-x0)/4)
		default:
			drawUnresolved(c, trY, xm, m, b.style.line)
		}
	}
}

// DataRange makes the axes hold every bar and interval, and zero.
func (b *ciBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = b.offset-b.width, float64(len(b.marks)-1)+b.offset+b.width
	for _, m := range b.marks {
		if lo, hi, ok := m.extent(); ok {
			ymin, ymax = min(ymin, lo), max(ymax, hi)
		}
	}
	return xmin, xmax, ymin, ymax
}

// groupedBars adds one ciBars per series to p, marks[s][g] being series s
// in group g, and spreads the series over 80% of each group's width.
func groupedBars(p *plot.Plot, marks [][]mark, st []seriesStyle) {
	n := max(len(marks), 1)
	w := 0.8 / float64(n)
	p.Add(zeroLine{})
	for s := range marks {
		p.Add(&ciBars{offset: -0.4 + w*(float64(s)+0.5), width: w * 0.85, marks: marks[s], style: st[s]})
	}
	padValueAxis(p)
}

// padValueAxis leaves room above (and below, for negative values) the
// data for the "?" over intervals, and gives an axis with no extent or no
// data one.
func padValueAxis(p *plot.Plot) {
	lo, hi := p.Y.Min, p.Y.Max
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) { // nothing drawn
		lo, hi = 0, 1
	}
	if hi <= lo {
		hi = lo + 1
	}
	pad := (hi - lo) * 0.1
	p.Y.Max = hi + pad
	if lo < 0 {
		p.Y.Min = lo - pad
	}
}

// zeroLine draws the y = 0 baseline bars stand on.
type zeroLine struct{}

func (zeroLine) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	if y := trY(0); y >= c.Min.Y && y <= c.Max.Y {
		c.StrokeLine2(draw.LineStyle{Color: lightGrey, Width: vg.Points(0.7)}, c.Min.X, y, c.Max.X, y)
	}
}
