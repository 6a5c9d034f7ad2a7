package reports

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/results"
)

// CompareTable writes a comparison of two runs in benchstat's manner: per
// cell the old and new figure, the delta with its 95% CI and p-value, and
// "~" where the delta is not significant. Then the cells that are in one
// run only.
func CompareTable(w io.Writer, c *analysis.Comparison) {
	fmt.Fprintf(w, "old: run %s\nnew: run %s\n\n", c.Old, c.New)
	fmt.Fprintln(w, "Added cost per event: median(on) − median(off) of each run; delta = new − old (×: ratio of slowdowns, emulated)")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CELL\tSTATUS\tOLD\tNEW\tDELTA [95% CI]\tP")
	idle := 0
	for _, d := range c.Cells {
		if d.OldStatus == d.NewStatus && d.NewStatus != results.OK {
			idle++
			continue
		}
		delta, p := "-", "-"
		if d.Added != nil {
			delta, p = deltaText(*d.Added, d.Emulated), fmt.Sprintf("p=%.3f", d.Added.P)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cellName(d.Key()), statusChange(d),
			Effect(d.OldEffect, d.Emulated), Effect(d.NewEffect, d.Emulated), delta, p)
	}
	tw.Flush()
	if idle > 0 {
		fmt.Fprintf(w, "(%d cells ran in neither run, with the same status in both)\n", idle)
	}

	fmt.Fprintln(w, "\nTraced workload, ns/op with the backend attached: old on-samples vs new on-samples (Mann–Whitney U)")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CELL\tOLD NS/OP\tNEW NS/OP\tDELTA [95% CI]\tP")
	for _, d := range c.Cells {
		if d.Traced == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tp=%.3f\n", cellName(d.Key()), Ns(d.Traced.OldNs), Ns(d.Traced.NewNs),
			deltaText(d.Traced.Delta, d.Emulated), d.Traced.Delta.P)
	}
	tw.Flush()
	for _, only := range []struct {
		which string
		keys  []results.Key
	}{{"old", c.OnlyOld}, {"new", c.OnlyNew}} {
		if len(only.keys) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nOnly in the %s run (%d cells):\n", only.which, len(only.keys))
		for _, k := range only.keys {
			fmt.Fprintf(w, "  %s\n", cellName(k))
		}
	}
}

// deltaText is a difference as benchstat shows it: "~" when not
// significant, else the value with its interval.
func deltaText(d analysis.Difference, emulated bool) string {
	switch {
	case !d.Significant:
		return "~"
	case emulated:
		return fmt.Sprintf("×%.3f [%.3f, %.3f]", d.Value, d.Lo, d.Hi)
	}
	return fmt.Sprintf("%s [%s, %s]", signedNs(d.Value), signedNs(d.Lo), signedNs(d.Hi))
}

func statusChange(d analysis.CellDelta) string {
	if d.OldStatus == d.NewStatus {
		return string(d.NewStatus)
	}
	return string(d.OldStatus) + " → " + string(d.NewStatus)
}

func cellName(k results.Key) string {
	return strings.Join([]string{k.Target, k.Backend, k.Mode, k.Event.String()}, " ")
}

// WriteCompare writes the chart of a comparison's deltas into dir as
// compare.svg and compare.png, and returns their paths.
func WriteCompare(dir string, c *analysis.Comparison) ([]string, error) {
	f := CompareFigure(c)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, out := range []struct {
		ext    string
		render func() ([]byte, error)
	}{{"svg", f.SVG}, {"png", f.PNG}} {
		b, err := out.render()
		if err != nil {
			return paths, err
		}
		path := filepath.Join(dir, f.Name+"."+out.ext)
		if err := results.WriteFileAtomic(path, b); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
