package harness

import "github.com/tracebench/tracebench/results"

// Progress is told what the harness is doing. Status lines are transient
// (a terminal shows the latest); CellDone marks a finished cell.
type Progress interface {
	Status(format string, args ...any)
	CellDone(results.Cell)
}

// NopProgress discards progress.
type NopProgress struct{}

func (NopProgress) Status(string, ...any) {}
func (NopProgress) CellDone(results.Cell) {}
