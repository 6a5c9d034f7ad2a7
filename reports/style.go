package reports

import (
	"image/color"
	"math"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Every chart uses Liberation Sans (embedded in gonum/plot for PNG
// rendering and metrically identical to Arial and Helvetica, which the
// HTML report falls back to).
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{Color: c, Font: font.From(sans, size), Handler: plot.DefaultTextHandler}
}

func bold(s text.Style) text.Style {
	s.Font.Weight = xfont.WeightBold
	return s
}

// Colours. whiskerColor is used for nothing but the 95% CI whiskers of
// resolved effects, so that a reader (and a test) can tell them apart.
var (
	black        = color.Gray{0}
	white        = color.Gray{0xff}
	grey         = color.Gray{0x77}
	lightGrey    = color.Gray{0xdd}
	whiskerColor = color.RGBA{0x22, 0x22, 0x22, 0xff}
	// palette is Tableau 10, readable with the common colour blindnesses.
	palette = []color.RGBA{
		{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff}, {0x76, 0xb7, 0xb2, 0xff},
		{0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff}, {0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff},
		{0x9c, 0x75, 0x5f, 0xff}, {0xba, 0xb0, 0xac, 0xff},
	}
)

// tint mixes c with white: share 0 is c, 1 is white.
func tint(c color.RGBA, share float64) color.RGBA {
	mix := func(v uint8) uint8 { return uint8(math.Round(float64(v) + share*float64(255-v))) }
	return color.RGBA{mix(c.R), mix(c.G), mix(c.B), 0xff}
}

// newPlot returns a plot in the report's style: sans-serif text, small
// ticks, no legend (figures carry one legend for all their panels).
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle = bold(textStyle(10, black))
	p.Title.TextStyle.XAlign, p.Title.TextStyle.YAlign = draw.XCenter, draw.YTop
	p.Title.Padding = vg.Points(4)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = textStyle(9, black)
		a.Label.TextStyle.XAlign, a.Label.TextStyle.YAlign = draw.XCenter, draw.YBottom
		align := a.Tick.Label
		a.Tick.Label = textStyle(8, black)
		a.Tick.Label.XAlign, a.Tick.Label.YAlign = align.XAlign, align.YAlign
		a.Tick.Length = vg.Points(4)
		a.Padding = vg.Points(2)
	}
	return p
}

// hideX removes the x axis' ticks and labels (the legend names the bars).
func hideX(p *plot.Plot) {
	p.X.Tick.Marker = plot.ConstantTicks{}
	p.X.Tick.Length = 0
}

// unitTicks labels the default tick positions with a formatter (units,
// signs), so an axis says "2 µs" rather than "2000".
type unitTicks func(float64) string

func (f unitTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = f(ts[i].Value)
		}
	}
	return ts
}

// nsTick formats a tick in ns with a readable unit.
func nsTick(ns float64) string {
	if ns == 0 {
		return "0"
	}
	return Ns(ns)
}

// percentTick formats a tick in percent.
func percentTick(p float64) string {
	if p == 0 {
		return "0"
	}
	return trimFloat(p) + "%"
}

// logTimeTicks marks powers of ten on a log axis of ns, labelled with units.
type logTimeTicks struct{}

func (logTimeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for v := math.Pow10(int(math.Floor(math.Log10(lo)))); v <= hi*10; v *= 10 {
		ts = append(ts, plot.Tick{Value: v, Label: Ns(v)})
		for k := 2.0; k < 10; k++ {
			ts = append(ts, plot.Tick{Value: v * k})
		}
	}
	return ts
}

// nominalX and nominalY name the ticks of a category axis; a run with no
// cells has no categories, which gonum/plot cannot draw.
func nominalX(p *plot.Plot, names ...string) {
	if len(names) > 0 {
		p.NominalX(names...)
	}
}

func nominalY(p *plot.Plot, names ...string) {
	if len(names) > 0 {
		p.NominalY(names...)
	}
}
