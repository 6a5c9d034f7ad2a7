package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tracebench/tracebench/results"
)

// frontEndGuide says how to read the front-end table.
const frontEndGuide = "What each backend costs to start and to keep. Front-end tools: start-up is launch to attached (the tool restarts at every attach, so ATTACH is its median start-up), CPU to attach includes compiling, peak RSS covers the tool and the children it waited for, footprint is the installed size of its Debian packages and of their dependencies a minimal Debian system (Essential and required packages) lacks. Native backends load from the static tracebench binary: start-up is load plus attach."

// frontEndColumns head the front-end table.
var frontEndColumns = []string{"target", "backend", "mode", "event", "added/event [95% CI]", "coverage", "start-up", "cpu to attach", "peak rss", "footprint", "attach"}

// FrontEndTable writes, when the run measured a front-end tool (a cell
// with the startup_ns fact, see backends/frontend), what each backend
// costs to start and to keep beside its added cost and coverage: the
// front ends from their facts (launch to attached, CPU spent before
// attaching, peak RSS of the tool and its children, installed size of its
// packages beyond a minimal Debian system), the native backends from
// their setup and attach times (they load from the tracebench binary
// itself: no packages, no compiler). It writes nothing otherwise.
func FrontEndTable(w io.Writer, r *results.Run) {
	rows := frontEndRows(r)
	if rows == nil {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(frontEndColumns, "\t")))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

func frontEndRows(r *results.Run) [][]string {
	var rows [][]string
	front := false
	for _, c := range r.Cells {
		if c.Status != results.OK {
			continue
		}
		f := c.Facts
		startup, cpu, rss, disk := Ns(float64(c.SetupNs+c.AttachNs))+" (load+attach)", "-", "-", "static binary"
		if f["startup_ns"] != "" {
			front = true
			startup, cpu, rss, disk = nsFact(f["startup_ns"]), nsFact(f["startup_cpu_ns"]), kbFact(f["peak_rss_kb"]), kbFact(f["footprint_kb"])
			if n := f["footprint_packages"]; n != "" {
				disk += " (" + n + " packages)"
			}
		}
		rows = append(rows, []string{c.Target, c.Backend, c.Mode, c.Event.String(), Effect(c.Overhead, c.Emulated),
			Coverage(c.Coverage), startup, cpu, rss, disk, Ns(float64(c.AttachNs))})
	}
	if !front {
		return nil
	}
	return rows
}

func nsFact(s string) string {
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "-"
	}
	return Ns(n)
}

func kbFact(s string) string {
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", n/1024)
}
