package reports

import (
	"fmt"
	"math"
	"strconv"

	"github.com/tracebench/tracebench/results"
)

// Effect formats an effect for a table. An unresolved effect is never
// printed as a number; under emulation only the on/off ratio is shown.
func Effect(e *results.Effect, emulated bool) string {
	switch {
	case e == nil:
		return "-"
	case !e.Resolved:
		return fmt.Sprintf("unresolved (p=%.2f)", e.PValue)
	case emulated:
		return fmt.Sprintf("×%.3f [%.3f, %.3f]", e.Ratio, e.RatioCILow, e.RatioCIHigh)
	}
	return fmt.Sprintf("%s [%s, %s]", signedNs(e.AddedNs), signedNs(e.CILowNs), signedNs(e.CIHighNs))
}

// signedNs prints a duration in ns with a sign and a unit that keeps three
// significant digits readable.
func signedNs(ns float64) string {
	sign := "+"
	if ns < 0 {
		sign = "-"
	}
	return sign + Ns(math.Abs(ns))
}

// Ns prints a duration given in ns with a suitable unit.
func Ns(ns float64) string {
	switch a := math.Abs(ns); {
	case a >= 1e9:
		return fmt.Sprintf("%.3gs", ns/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gms", ns/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.3gµs", ns/1e3)
	case a >= 100:
		return fmt.Sprintf("%.0fns", ns)
	}
	return fmt.Sprintf("%.1fns", ns)
}

// Coverage formats seen/produced with losses, or for a sampling backend
// samples seen/expected.
func Coverage(c *results.Coverage) string {
	if c == nil {
		return "-"
	}
	s := fmt.Sprintf("%d/%d", c.Seen, c.Produced)
	if c.Sampling {
		s = fmt.Sprintf("%d/%d samples", c.Seen, c.Expected)
	}
	if c.Lost != 0 {
		s += fmt.Sprintf(" lost %d", c.Lost)
	}
	if c.Unexplained != 0 {
		s += fmt.Sprintf(" unexplained %d", c.Unexplained)
	}
	return s
}

// CellLine is a one-line summary of a cell, for progress output.
func CellLine(c results.Cell) string {
	head := fmt.Sprintf("%s %s %s %s:", c.Target, c.Backend, c.Mode, c.Event)
	if c.Status != results.OK {
		return fmt.Sprintf("%s %s (%s: %s)", head, c.Status, c.Reason.Class, c.Reason.Detail)
	}
	base := "-"
	if c.Overhead != nil {
		base = Ns(c.Overhead.BaselineNs)
	}
	return fmt.Sprintf("%s base %s/op, added %s, collateral %s, coverage %s, attach %s",
		head, base, Effect(c.Overhead, c.Emulated), Effect(c.Collateral, c.Emulated), Coverage(c.Coverage), Ns(float64(c.AttachNs)))
}

// trimFloat prints x with as few digits as it needs.
func trimFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Count prints an event count compactly: 37, 4141, 236k, 2.00M.
func Count(n int64) string {
	a := math.Abs(float64(n))
	switch {
	case a >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case a >= 1e5:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return strconv.FormatInt(n, 10)
}
