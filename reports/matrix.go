package reports

import (
	"fmt"
	"image/color"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/results"
)

var levelColors = map[analysis.Level]color.Color{
	analysis.Runs:        color.RGBA{0x8c, 0xd1, 0x7d, 0xff},
	analysis.Partial:     color.RGBA{0xf1, 0xce, 0x63, 0xff},
	analysis.Unsupported: color.Gray{0xd4},
	analysis.Broken:      color.RGBA{0xe1, 0x57, 0x59, 0xff},
}

var levelMeaning = []struct {
	level analysis.Level
	text  string
}{
	{analysis.Runs, "runs: every mode and event"},
	{analysis.Partial, "partly: some modes or events"},
	{analysis.Unsupported, "unsupported by this kernel"},
	{analysis.Broken, "failed"},
}

// portabilityFigure: targets × backends, the reason in every cell that is
// not green.
func portabilityFigure(x *index) *Figure {
	m := analysis.Portability(x.run)
	backends := analysis.Backends(x.run)
	f := &Figure{
		Name:  "portability",
		Title: "Portability: where each backend loads and attaches",
		Guide: "One cell per target and backend over all its modes and events; a cell that is not green gives the classified reason (full text in the table).",
		Width: vg.Length(max(820, 200+150*len(backends))), RowHeight: vg.Length(40 + 68*len(x.run.Targets)),
	}
	for _, l := range levelMeaning {
		f.Legend = append(f.Legend, LegendEntry{l.text, fillThumb{levelColors[l.level]}})
	}
	g := &grid{style: textStyle(7.5, black)}
	var rowNames []string
	for i, t := range x.run.Targets {
		var row []gridCell
		for _, s := range m[i] {
			row = append(row, gridCell{fill: levelColors[s.Level()], lines: supportLines(s)})
		}
		g.cells = append(g.cells, row)
		rowNames = append(rowNames, targetLines(x.run, t, true))
	}
	slices.Reverse(rowNames)
	p := newPlot("")
	p.Add(g)
	nominalX(p, backends...)
	nominalY(p, rowNames...)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.Y.Tick.Label.Font.Size = 8
	f.Panels = [][]*plot.Plot{{p}}
	return f
}

// targetLines describes a target in three lines: name, kernel and arch,
// BTF (the kernel's own, and where the backends found their types, with
// sizes). Short paths keep chart labels narrow; tables print them whole.
func targetLines(r *results.Run, t results.Target, short bool) string {
	btf := "no kernel BTF"
	if t.Host.BTF {
		btf = "kernel BTF"
	}
	var used []string
	for _, u := range analysis.BTFUses(r) {
		if u.Target != t.Name {
			continue
		}
		if p, ok := strings.CutPrefix(u.Source, "external:"); ok && short {
			u.Source = "external " + filepath.Base(p)
		}
		used = append(used, btfLabel(u))
	}
	if len(used) > 0 {
		btf += "; used: " + strings.Join(used, ", ")
	}
	emu := ""
	if t.Host.Emulated {
		emu = ", emulated"
	}
	return fmt.Sprintf("%s\nLinux %s, %s%s\n%s", t.Name, t.Host.KernelRelease, t.Host.Arch, emu, btf)
}

// supportLines is the text of a matrix cell: what ran, then each reason's
// class and cells (so that every class shows even in a small cell), then
// the details as far as they fit.
func supportLines(s analysis.Support) []string {
	if s.Level() == analysis.Runs {
		return []string{fmt.Sprintf("ok: %d/%d cells", s.OK, s.Total)}
	}
	lines := []string{string(s.Level())}
	if s.OK > 0 {
		lines[0] = fmt.Sprintf("%d/%d cells ok", s.OK, s.Total)
	}
	for _, g := range s.Reasons {
		l := g.Class
		if s.OK > 0 {
			l = reasonLabel(g) + " (" + strings.Join(g.Cells, ", ") + ")"
		}
		lines = append(lines, l)
	}
	for _, g := range s.Reasons {
		lines = append(lines, g.Detail)
	}
	return lines
}

// reasonLabel is a reason's status and class, once when they are the same
// word ("failed").
func reasonLabel(g analysis.ReasonGroup) string {
	if g.Class == string(g.Status) {
		return g.Class
	}
	return string(g.Status) + " " + g.Class
}
