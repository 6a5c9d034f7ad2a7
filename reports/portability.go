package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

// PortabilityTable writes the portability matrix of a run: one row per
// backend and mode, one column per target; a cell says how many events
// loaded, attached and were seen exactly, and otherwise why not. The
// reasons follow, numbered, in full.
func PortabilityTable(w io.Writer, r *results.Run) {
	type row struct{ backend, mode string }
	byRow := map[row]map[string][]results.Cell{}
	for _, c := range r.Cells {
		k := row{c.Backend, c.Mode}
		if byRow[k] == nil {
			byRow[k] = map[string][]results.Cell{}
		}
		byRow[k][c.Target] = append(byRow[k][c.Target], c)
	}
	rows := make([]row, 0, len(byRow))
	for k := range byRow {
		rows = append(rows, k)
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].backend+" "+rows[i].mode < rows[j].backend+" "+rows[j].mode
	})
	var notes []string
	note := func(s string) int {
		for i, n := range notes {
			if n == s {
				return i + 1
			}
		}
		notes = append(notes, s)
		return len(notes)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "BACKEND\tMODE")
	for _, t := range r.Targets {
		fmt.Fprintf(tw, "\t%s", t.Name)
	}
	fmt.Fprintln(tw)
	for _, k := range rows {
		fmt.Fprintf(tw, "%s\t%s", k.backend, k.mode)
		for _, t := range r.Targets {
			fmt.Fprintf(tw, "\t%s", portabilityCell(byRow[k][t.Name], note))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
	for i, n := range notes {
		fmt.Fprintf(w, "[%d] %s\n", i+1, n)
	}
}

// portabilityCell summarises one backend and mode on one target: "ok 4/4"
// when every event was seen exactly (by a sampling backend: sampled), else the count and the classes of
// what failed, each with a note number.
func portabilityCell(cells []results.Cell, note func(string) int) string {
	if len(cells) == 0 {
		return "-"
	}
	good := 0
	var bad []string
	classes := map[string]int{}
	for _, c := range cells {
		if c.Status == results.OK && exact(c.Coverage) {
			good++
			continue
		}
		class, why := "coverage", c.Event.String()+": coverage "+Coverage(c.Coverage) // ok, but not every event seen exactly
		if c.Reason != nil {
			class, why = c.Reason.Class, c.Event.String()+": "+c.Reason.Class+": "+c.Reason.Detail
		}
		if _, ok := classes[class]; !ok { // one note per class: the first event's
			bad = append(bad, fmt.Sprintf("%s[%d]", class, note(why)))
		}
		classes[class]++
	}
	if len(bad) == 0 {
		return fmt.Sprintf("ok %d/%d", good, len(cells))
	}
	return fmt.Sprintf("%d/%d %s", good, len(cells), strings.Join(bad, ","))
}

// exact: every event seen, nothing lost. A sampling backend sees a share
// of the workload's time, never every event: for it, samples arrived.
func exact(c *results.Coverage) bool {
	if c != nil && c.Sampling {
		return c.Seen > 0 && c.Invalid == 0
	}
	return c != nil && c.Seen == c.Produced && c.Lost == 0 && c.Invalid == 0
}

// ProbePointTable writes, per backend and event, the probe point each
// target resolved: how kernel function names move across versions and
// architectures.
func ProbePointTable(w io.Writer, r *results.Run) {
	type row struct {
		backend string
		ev      event.Event
	}
	points := map[row]map[string]string{}
	for _, c := range r.Cells {
		if c.ProbePoint == "" {
			continue
		}
		k := row{c.Backend, c.Event}
		if points[k] == nil {
			points[k] = map[string]string{}
		}
		points[k][c.Target] = c.ProbePoint
	}
	rows := make([]row, 0, len(points))
	for k := range points {
		rows = append(rows, k)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].backend != rows[j].backend {
			return rows[i].backend < rows[j].backend
		}
		return rows[i].ev < rows[j].ev
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "BACKEND\tEVENT")
	for _, t := range r.Targets {
		fmt.Fprintf(tw, "\t%s", t.Name)
	}
	fmt.Fprintln(tw)
	for _, k := range rows {
		fmt.Fprintf(tw, "%s\t%s", k.backend, k.ev)
		for _, t := range r.Targets {
			p := points[k][t.Name]
			if p == "" {
				p = "-"
			}
			fmt.Fprintf(tw, "\t%s", p)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
