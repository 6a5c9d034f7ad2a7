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
	hosts := map[string]results.Host{}
	for _, t := range r.Targets {
		hosts[t.Name] = t.Host
	}
	for _, t := range r.Targets {
		h := hosts[t.Name]
		emu := ""
		if h.Emulated {
			emu = ", emulated: ratios only"
		}
		fmt.Fprintf(w, "target %s: Linux %s %s, %s, %d CPUs%s%s\n", t.Name, h.KernelRelease, h.Arch, h.CPUModel, h.CPUs, emu, onMachines(t))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "BACKEND\tMODE\tEVENT\tSTATUS\tBASE/OP\tADDED/EVENT [95% CI]\tCOLLATERAL\tCOVERAGE\tATTACH\tDETACH")
		for _, c := range r.Cells {
			if c.Target != t.Name {
				continue
			}
			if c.Status != results.OK {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s: %s\n", c.Backend, c.Mode, c.Event, c.Status, c.Reason.Class, short(c.Reason.Detail, 100))
				continue
			}
			base := "-"
			if c.Overhead != nil {
				base = Ns(c.Overhead.BaselineNs)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Backend, c.Mode, c.Event, c.Status, base,
				Effect(c.Overhead, c.Emulated), Effect(c.Collateral, c.Emulated), Coverage(c.Coverage),
				Ns(float64(c.AttachNs)), Ns(float64(c.DetachNs)))
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
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
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
