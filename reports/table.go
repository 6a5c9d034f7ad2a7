package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tracebench/tracebench/results"
)

// Table writes one row per cell, grouped by target: the table `tracebench
// run` prints at the end and `tracebench report` prints.
func Table(w io.Writer, r *results.Run) {
	for _, t := range r.Targets {
		fmt.Fprintln(w, targetHeading(t))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(cellColumns, "\t")))
		for _, c := range targetCells(r, t.Name) {
			row := cellRow(c)
			row[len(row)-1] = short(row[len(row)-1], 100)
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
}

// targetHeading describes a target's kernel and machine on one line.
func targetHeading(t results.Target) string {
	h := t.Host
	emu := ""
	if h.Emulated {
		emu = "; emulated: absolute times are artefacts, read ratios only"
	}
	return fmt.Sprintf("target %s: Linux %s %s, %s, %d CPUs%s%s", t.Name, h.KernelRelease, h.Arch, h.CPUModel, h.CPUs, onMachines(t), emu)
}

// onMachines says where a target was measured: a merge of shards may have
// measured one target on several machines of the same kind.
func onMachines(t results.Target) string {
	switch ms := machines(t); len(ms) {
	case 0:
		return ""
	case 1:
		return ", on " + ms[0]
	default:
		return fmt.Sprintf(", on %d machines (%s)", len(ms), strings.Join(ms, ", "))
	}
}

func short(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
