package reports

import (
	"github.com/tracebench/tracebench/results"
)

// cellColumns are the columns of a run's results table, the same in the
// terminal, in report.md and in report.html.
var cellColumns = []string{"backend", "mode", "event", "status", "base/op", "added/event [95% CI]",
	"collateral/getuid", "coverage", "attach", "detach", "probe point / reason"}

// cellRow is one cell as a table row. An unresolved effect reads
// "unresolved", never a number; under emulation effects are ratios.
func cellRow(c results.Cell) []string {
	status, note := string(c.Status), c.ProbePoint
	if c.Reason != nil {
		status += ": " + c.Reason.Class
		note = c.Reason.Detail
	}
	base, attach, detach := "-", "-", "-"
	if c.Overhead != nil {
		base = Ns(c.Overhead.BaselineNs)
	}
	if c.AttachNs > 0 {
		attach, detach = Ns(float64(c.AttachNs)), Ns(float64(c.DetachNs))
	}
	return []string{c.Backend, c.Mode, c.Event.String(), status, base,
		Effect(c.Overhead, c.Emulated), Effect(c.Collateral, c.Emulated), Coverage(c.Coverage), attach, detach, note}
}

// targetCells returns the cells of one target, in run order.
func targetCells(r *results.Run, target string) []results.Cell {
	var out []results.Cell
	for _, c := range r.Cells {
		if c.Target == target {
			out = append(out, c)
		}
	}
	return out
}
