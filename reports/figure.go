package reports

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one chart of a report: a title, a one-line reading guide, one
// legend for all its panels, and the panels in a grid. The PNG has the
// title and guide drawn in, so that a copy pasted alone still explains
// itself; the SVG, made for a page that shows them as text, has only the
// legend and the panels.
type Figure struct {
	// Name is the file stem of its images (overhead → overhead.png).
	Name  string
	Title string
	Guide string
	// Legend lists what the marks mean.
	Legend []LegendEntry
	// Panels are the plots, row by row; nil leaves a tile empty.
	Panels [][]*plot.Plot
	// Width of the image and height of each row of panels.
	Width, RowHeight vg.Length
	// RowHeights, when set, gives each row its own height; rows are then
	// aligned one by one instead of as a grid.
	RowHeights []vg.Length
}

// LegendEntry is one mark and what it means.
type LegendEntry struct {
	Text  string
	Thumb plot.Thumbnailer
}

const (
	// fontSlack widens laid-out text for browsers that lack Liberation
	// Sans and its metric twins (Arial, Helvetica) and fall back to a
	// wider face.
	fontSlack  = 1.12
	margin     = vg.Length(10)
	thumbW     = vg.Length(16)
	legendPadX = vg.Length(14)
)

var (
	titleStyle  = bold(textStyle(13, black))
	guideStyle  = textStyle(9, grey)
	legendStyle = textStyle(9, black)
)

// header is the height of the title and guide lines (when titled) and of
// the legend.
func (f *Figure) header(titled bool) vg.Length {
	h := margin
	if titled {
		h += titleStyle.Height(f.Title) + 4 + guideStyle.Height(f.Guide) + 6
	}
	return h + vg.Length(len(f.legendRows()))*legendStyle.Height("M")*1.4 + 6
}

// legendRows flows the legend entries into rows that fit the width.
func (f *Figure) legendRows() [][]LegendEntry {
	var rows [][]LegendEntry
	var x vg.Length
	for _, e := range f.Legend {
		w := thumbW + 4 + fontSlack*legendStyle.Width(e.Text) + legendPadX
		if len(rows) == 0 || x+w > f.Width-2*margin {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		x += w
	}
	return rows
}

// height is the image's height.
func (f *Figure) height(titled bool) vg.Length {
	return f.header(titled) + f.bodyHeight() + margin
}

func (f *Figure) bodyHeight() vg.Length {
	if f.RowHeights == nil {
		return vg.Length(len(f.Panels)) * f.RowHeight
	}
	var h vg.Length
	for _, r := range f.RowHeights {
		h += r
	}
	return h
}

// draw draws the figure onto c.
func (f *Figure) draw(c draw.Canvas, titled bool) {
	c.SetColor(white)
	c.Fill(c.Rectangle.Path())
	top := c.Max.Y - margin
	if titled {
		c.FillText(aligned(titleStyle, draw.XLeft, draw.YTop), vg.Point{X: margin, Y: top}, f.Title)
		top -= titleStyle.Height(f.Title) + 4
		c.FillText(aligned(guideStyle, draw.XLeft, draw.YTop), vg.Point{X: margin, Y: top}, f.Guide)
		top -= guideStyle.Height(f.Guide) + 6
	}
	lineH := legendStyle.Height("M") * 1.4
	for _, row := range f.legendRows() {
		x := margin
		for _, e := range row {
			thumb := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: top - lineH + 3}, Max: vg.Point{X: x + thumbW, Y: top - 3}}}
			e.Thumb.Thumbnail(&thumb)
			x += thumbW + 4
			c.FillText(aligned(legendStyle, draw.XLeft, draw.YCenter), vg.Point{X: x, Y: top - lineH/2}, e.Text)
			x += fontSlack*legendStyle.Width(e.Text) + legendPadX
		}
		top -= lineH
	}
	if len(f.Panels) == 0 {
		return
	}
	body := draw.Crop(c, margin, -margin, margin, top-c.Max.Y-6)
	if f.RowHeights == nil {
		drawPanels(f.Panels, body)
		return
	}
	for i, row := range f.Panels {
		rowC := body
		rowC.Min.Y = top - 6 - f.RowHeights[i]
		rowC.Max.Y = top - 6
		drawPanels([][]*plot.Plot{row}, rowC)
		top -= f.RowHeights[i]
	}
}

// inRows lays panels out cols to a row, the last row padded with empty
// tiles.
func inRows(panels []*plot.Plot, cols int) [][]*plot.Plot {
	var rows [][]*plot.Plot
	for len(panels) > 0 {
		n := min(cols, len(panels))
		row := append(panels[:n:n], make([]*plot.Plot, cols-n)...)
		rows, panels = append(rows, row), panels[n:]
	}
	return rows
}

// drawPanels draws a grid of plots with their data areas aligned.
func drawPanels(panels [][]*plot.Plot, c draw.Canvas) {
	tiles := draw.Tiles{Rows: len(panels), Cols: len(panels[0]), PadX: 14, PadY: 14, PadBottom: 7}
	canvases := plot.Align(panels, tiles, c)
	for i, row := range panels {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
}

func aligned(s text.Style, x draw.XAlignment, y draw.YAlignment) text.Style {
	s.XAlign, s.YAlign = x, y
	return s
}

// SVG renders the whole figure, title and guide included, as an SVG
// document.
func (f *Figure) SVG() ([]byte, error) { return f.svg(true) }

// inlineSVG renders the figure without its title and guide, and without
// XML prologue, to be inlined in HTML under them.
func (f *Figure) inlineSVG() ([]byte, error) {
	b, err := f.svg(false)
	if err != nil {
		return nil, err
	}
	if i := bytes.Index(b, []byte("<svg")); i > 0 {
		b = b[i:]
	}
	return b, nil
}

func (f *Figure) svg(titled bool) ([]byte, error) {
	cv := vgsvg.New(f.Width, f.height(titled))
	f.draw(draw.New(cv), titled)
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render %s.svg: %w", f.Name, err)
	}
	return b.Bytes(), nil
}

// PNG renders the whole figure, title and guide included, as a PNG image
// at 150 dpi.
func (f *Figure) PNG() ([]byte, error) {
	cv := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.Width, f.height(true)), vgimg.UseDPI(150))}
	f.draw(draw.New(cv), true)
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render %s.png: %w", f.Name, err)
	}
	return b.Bytes(), nil
}
