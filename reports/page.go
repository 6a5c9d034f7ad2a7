package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/results"
)

// page is what report.html and report.md show, in the order they show it.
type page struct {
	Title    string
	Meta     []string
	Emulated string // the emulation warning, empty when nothing was emulated
	Findings []Finding
	Figures  []rendered
	Matrix   matrixTable
	Columns  []string
	Targets  []targetTable
	// Verifier is the verifier matrix as text, when the run directory has
	// one (verifier.json, from `tracebench verify --out`).
	Verifier string
	// FrontEnds is the front-end table as text, when the run measured a
	// front-end tool.
	FrontEnds string
}

// matrixTable is the portability matrix with every reason in full.
type matrixTable struct {
	Backends []string
	Rows     []matrixRow
}

type matrixRow struct {
	Target string // multi-line: name, kernel and arch, BTF
	Cells  []matrixCell
}

type matrixCell struct {
	Level   analysis.Level
	Summary string
	Reasons []string // "class (cells): detail"
}

type targetTable struct {
	Name    string
	Heading string
	Rows    [][]string
}

func newPage(r *results.Run, figs []rendered) *page {
	pg := &page{
		Title:    "tracebench report: run " + r.RunID,
		Findings: Summary(r),
		Figures:  figs,
		Columns:  cellColumns,
	}
	pg.Meta = append(pg.Meta, fmt.Sprintf("tracebench %s, started %s", r.Tracebench, r.Started.UTC().Format(time.DateTime+" MST")))
	if !r.Finished.IsZero() {
		pg.Meta[0] += fmt.Sprintf(", took %s", r.Finished.Sub(r.Started).Round(time.Second))
	} else {
		pg.Meta[0] += " (not finished: interrupted or in progress)"
	}
	pg.Meta = append(pg.Meta, fmt.Sprintf("%d targets, %d cells, %s per cell", len(r.Targets), len(r.Cells), r.Config.CellBudget))
	if len(r.Command) > 0 {
		pg.Meta = append(pg.Meta, "command: "+strings.Join(r.Command, " "))
	}
	for _, f := range pg.Findings {
		if f.Topic == "emulation" {
			pg.Emulated = f.Text
		}
	}
	m := analysis.Portability(r)
	pg.Matrix.Backends = analysis.Backends(r)
	for i, t := range r.Targets {
		row := matrixRow{Target: targetLines(r, t, false)}
		for _, s := range m[i] {
			cell := matrixCell{Level: s.Level(), Summary: fmt.Sprintf("%s: %d/%d cells ran", s.Level(), s.OK, s.Total)}
			for _, g := range s.Reasons {
				cell.Reasons = append(cell.Reasons, fmt.Sprintf("%s (%s): %s", reasonLabel(g), strings.Join(g.Cells, ", "), g.Detail))
			}
			row.Cells = append(row.Cells, cell)
		}
		pg.Matrix.Rows = append(pg.Matrix.Rows, row)
	}
	for _, t := range r.Targets {
		tt := targetTable{Name: t.Name, Heading: targetHeading(t)}
		for _, c := range targetCells(r, t.Name) {
			tt.Rows = append(tt.Rows, cellRow(c))
		}
		pg.Targets = append(pg.Targets, tt)
	}
	return pg
}
