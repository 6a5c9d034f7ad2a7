package reports

import (
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// gridCell is one coloured cell of a heat map or matrix, with lines of
// text that are wrapped and shortened to fit it.
type gridCell struct {
	fill  color.Color
	lines []string
}

// grid draws cells[row][col] centred on (col, row) in data coordinates,
// row 0 at the top; NominalX and NominalY name the columns and rows.
type grid struct {
	cells [][]gridCell
	style text.Style
}

func (g *grid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(g.cells)
	for r, row := range g.cells {
		y := float64(n - 1 - r)
		for col, cell := range row {
			x0, x1 := trX(float64(col)-0.5)+1, trX(float64(col)+0.5)-1
			y0, y1 := trY(y-0.5)+1, trY(y+0.5)-1
			c.FillPolygon(cell.fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			lines := fitLines(g.style, cell.lines, (x1-x0-6)/fontSlack, y1-y0-4)
			st := aligned(g.style, draw.XCenter, draw.YCenter)
			if lum(cell.fill) < 0.45 {
				st.Color = white
			}
			c.FillText(st, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, strings.Join(lines, "\n"))
		}
	}
}

// DataRange spans every cell.
func (g *grid) DataRange() (xmin, xmax, ymin, ymax float64) {
	cols := 0
	for _, row := range g.cells {
		cols = max(cols, len(row))
	}
	return -0.5, float64(cols) - 0.5, -0.5, float64(len(g.cells)) - 0.5
}

// fitLines word-wraps lines to width and keeps as many as fit in height,
// marking a cut with "…".
func fitLines(st text.Style, lines []string, width, height vg.Length) []string {
	var out []string
	for _, l := range lines {
		out = append(out, wrap(st, l, width)...)
	}
	lineH := st.Height("M")
	maxLines := max(int(height/lineH), 1)
	if len(out) > maxLines {
		out = out[:maxLines]
		out[maxLines-1] = ellipsis(st, out[maxLines-1]+"…", width)
	}
	return out
}

// wrap breaks s at spaces into lines no wider than width; a word wider
// than width is shortened.
func wrap(st text.Style, s string, width vg.Length) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case st.Width(line+" "+w) <= width:
			line += " " + w
		default:
			out = append(out, ellipsis(st, line, width))
			line = w
		}
	}
	if line != "" {
		out = append(out, ellipsis(st, line, width))
	}
	return out
}

// ellipsis shortens s to width, ending it with "…".
func ellipsis(st text.Style, s string, width vg.Length) string {
	if st.Width(s) <= width {
		return s
	}
	r := []rune(strings.TrimSuffix(s, "…"))
	for len(r) > 0 && st.Width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// lum is a colour's relative luminance in [0, 1].
func lum(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}

// fillThumb is a legend swatch of one colour.
type fillThumb struct{ color.Color }

func (f fillThumb) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(f.Color, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}
