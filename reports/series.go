package reports

import (
	"image/color"
	"slices"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/results"
)

// seriesStyle is how one (backend, mode) series is drawn: one hue per
// backend, solid in its first mode and lighter, outlined, in the next.
type seriesStyle struct{ fill, line color.RGBA }

// modeTints are the tints of a backend's modes in order of appearance.
var modeTints = []float64{0, 0.55, 0.3, 0.75}

// styles assigns every series of a run its style.
type styles struct {
	series []analysis.Series
	style  map[analysis.Series]seriesStyle
}

func newStyles(r *results.Run) styles {
	backends := analysis.Backends(r)
	var modes []string
	s := styles{series: analysis.AllSeries(r), style: map[analysis.Series]seriesStyle{}}
	for _, x := range s.series {
		if !slices.Contains(modes, x.Mode) {
			modes = append(modes, x.Mode)
		}
	}
	for _, x := range s.series {
		base := palette[slices.Index(backends, x.Backend)%len(palette)]
		share := modeTints[slices.Index(modes, x.Mode)%len(modeTints)]
		s.style[x] = seriesStyle{fill: tint(base, share), line: base}
	}
	return s
}

// legend lists a swatch per series.
func (s styles) legend() []LegendEntry {
	var out []LegendEntry
	for _, x := range s.series {
		out = append(out, LegendEntry{x.String(), swatch(s.style[x])})
	}
	return out
}

type swatch seriesStyle

func (w swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(w.fill, pts)
	c.StrokeLines(draw.LineStyle{Color: w.line, Width: vg.Points(0.8)}, append(pts, c.Min))
}
