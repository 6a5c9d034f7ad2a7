package reports

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/results"
)

// BTFTable writes, per target, where the eBPF backends found kernel types
// (the kernel's BTF, an external file, a minimized one, BTF generated from
// DWARF), how big that BTF was, and how many CO-RE relocations a load
// applied: the portability of CO-RE in one table.
func BTFTable(w io.Writer, r *results.Run) {
	uses := analysis.BTFUses(r)
	if len(uses) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tKERNEL BTF\tBTF SOURCE\tSIZE\tCUT FROM\tLOADED\tCO-RE RELOCATIONS")
	for _, u := range uses {
		relocs := fmt.Sprint(u.MinRelocations)
		if u.MaxRelocations != u.MinRelocations {
			relocs += fmt.Sprintf("–%d", u.MaxRelocations)
		}
		if u.Loaded == 0 {
			relocs = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d cells\t%s\n", u.Target, yesNo(u.KernelBTF), u.Source, byteSize(u.Size), byteSize(u.FullSize), u.Loaded, relocs)
	}
	tw.Flush()
}

// btfLabel is a BTF use in a few words: its source and size.
func btfLabel(u analysis.BTFUse) string {
	s := u.Source
	if u.Size > 0 {
		s += " " + byteSize(u.Size)
	}
	if u.FullSize > 0 {
		s += " of " + byteSize(u.FullSize)
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// byteSize prints n bytes in B, KB or MB ("-" for 0: unknown).
func byteSize(n int64) string {
	switch {
	case n <= 0:
		return "-"
	case n < 10_000:
		return fmt.Sprintf("%d B", n)
	case n < 1_000_000:
		return fmt.Sprintf("%.0f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
