package reports

import (
	"bytes"
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one chart of a report: a title, a one-line reading guide, one
// legend for all its panels, and the panels in a grid. The title, guide and
// legend are drawn into the image too, so that a PNG copy pasted alone
// still explains itself.
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
}

// LegendEntry is one mark and what it means.
type LegendEntry struct {
	Text  string
	Thumb plot.Thumbnailer
}

const (
	margin     = vg.Length(10)
	thumbW     = vg.Length(16)
	legendPadX = vg.Length(14)
)

var (
	titleStyle  = bold(textStyle(13, black))
	guideStyle  = textStyle(9, grey)
	legendStyle = textStyle(9, black)
)

// header is the height of the title, guide and legend lines.
func (f *Figure) header() vg.Length {
	h := margin + titleStyle.Height(f.Title) + 4 + guideStyle.Height(f.Guide)
	if n := len(f.legendRows()); n > 0 {
		h += 6 + vg.Length(n)*legendStyle.Height("M")*1.4
	}
	return h + 6
}

// legendRows flows the legend entries into rows that fit the width.
func (f *Figure) legendRows() [][]LegendEntry {
	var rows [][]LegendEntry
	var x vg.Length
	for _, e := range f.Legend {
		w := thumbW + 4 + legendStyle.Width(e.Text) + legendPadX
		if len(rows) == 0 || x+w > f.Width-2*margin {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		x += w
	}
	return rows
}

// Height is the image's height.
func (f *Figure) Height() vg.Length {
	return f.header() + vg.Length(len(f.Panels))*f.RowHeight + margin
}

// draw draws the figure onto c.
func (f *Figure) draw(c draw.Canvas) {
	c.SetColor(white)
	c.Fill(c.Rectangle.Path())
	top := c.Max.Y - margin
	c.FillText(aligned(titleStyle, draw.XLeft, draw.YTop), vg.Point{X: margin, Y: top}, f.Title)
	top -= titleStyle.Height(f.Title) + 4
	c.FillText(aligned(guideStyle, draw.XLeft, draw.YTop), vg.Point{X: margin, Y: top}, f.Guide)
	top -= guideStyle.Height(f.Guide) + 6
	lineH := legendStyle.Height("M") * 1.4
	for _, row := range f.legendRows() {
		x := margin
		for _, e := range row {
			thumb := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: top - lineH + 3}, Max: vg.Point{X: x + thumbW, Y: top - 3}}}
			e.Thumb.Thumbnail(&thumb)
			x += thumbW + 4
			c.FillText(aligned(legendStyle, draw.XLeft, draw.YCenter), vg.Point{X: x, Y: top - lineH/2}, e.Text)
			x += legendStyle.Width(e.Text) + legendPadX
		}
		top -= lineH
	}
	if len(f.Panels) == 0 {
		return
	}
	body := draw.Crop(c, margin, -margin, margin, top-c.Max.Y-6)
	tiles := draw.Tiles{Rows: len(f.Panels), Cols: len(f.Panels[0]), PadX: 14, PadY: 14}
	canvases := plot.Align(f.Panels, tiles, body)
	for i, row := range f.Panels {
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

// SVG renders the figure as an SVG document without its XML prologue, ready
// to be inlined in HTML.
func (f *Figure) SVG() ([]byte, error) {
	cv := vgsvg.New(f.Width, f.Height())
	f.draw(draw.New(cv))
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render %s.svg: %w", f.Name, err)
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return []byte(s), nil
}

// PNG renders the figure as a PNG image at 150 dpi.
func (f *Figure) PNG() ([]byte, error) {
	cv := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.Width, f.Height()), vgimg.UseDPI(150))}
	f.draw(draw.New(cv))
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("render %s.png: %w", f.Name, err)
	}
	return b.Bytes(), nil
}
