package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/results"
)

func newMergeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "merge OUT DIR...",
		Short: "Join the results of a plan's shards into one results directory",
		Long: `Merge reads DIR/results.json of each shard ('tracebench run --shard i/N')
and writes OUT/results.json and OUT/bench.txt (each atomically), with every
cell once, in plan order; 'tracebench report OUT' then reports the whole run.

It refuses, naming the directories and the cell or field at fault: results
of another schema version, results that are not shards, shards of different
plans, another tracebench version or configuration, a cell given twice
(duplicate) or measured twice with different results (conflict), and one
target measured on machines whose facts differ (kernel release, CPU, ...).
A target measured by several machines of one kind keeps them all, and every
cell names its machine.

Planned cells that no shard reported are listed, shard by shard; the merged
results are written all the same, and merge then exits with status 1. OUT
may be one of the DIRs (to add shards to an earlier merge).`,
		Example: `  tracebench merge results/merged results/shard-1 results/shard-2 results/shard-3`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], args[1:])
		},
	}
}

func runMerge(stdout, stderr io.Writer, out string, dirs []string) error {
	var inputs []results.Input
	outIsInput := false
	for _, d := range dirs {
		r, err := results.ReadDir(d)
		if err != nil {
			return err
		}
		inputs = append(inputs, results.Input{Name: d, Run: r})
		outIsInput = outIsInput || sameDir(d, out)
	}
	if _, err := os.Stat(filepath.Join(out, results.File)); err == nil && !outIsInput {
		return fmt.Errorf("%s already holds results: merge into a new directory (or name it among the inputs to add to it)", out)
	}
	run, err := results.Merge(inputs)
	if err != nil {
		return err
	}
	run.Command = os.Args
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// bench.txt first: results.json, the source of truth, is only written
	// once everything derived from it is.
	if err := results.WriteBench(out, run); err != nil {
		return err
	}
	if err := results.Write(out, run); err != nil {
		return err
	}
	p := run.Config.Plan
	fmt.Fprintf(stdout, "merged shards %s of plan %s (%d shards): %d of %d cells into %s\n",
		joinInts(p.Merged), p.ID, p.Shards, len(run.Cells), len(p.Cells), out)
	for _, t := range run.Targets {
		fmt.Fprintf(stdout, "  %s: Linux %s %s%s\n", t.Name, t.Host.KernelRelease, t.Host.Arch, machinesNote(t))
	}
	missing := results.Missing(run)
	if len(missing) == 0 {
		return nil
	}
	reportMissing(stderr, run, missing)
	return fmt.Errorf("%d planned cells are missing (merged results written to %s)", len(missing), out)
}

// reportMissing lists the missing cells shard by shard: a shard that never
// reported in one line, a partial one cell by cell.
func reportMissing(w io.Writer, run *results.Run, missing []results.PlanCell) {
	p := run.Config.Plan
	byShard := map[int][]results.PlanCell{}
	for _, c := range missing {
		byShard[c.Shard] = append(byShard[c.Shard], c)
	}
	for s := 1; s <= p.Shards; s++ {
		cells := byShard[s]
		switch {
		case len(cells) == 0:
		case !p.Has(s):
			fmt.Fprintf(w, "missing: shard %s reported nothing (%d cells)\n", results.ShardName(s, p.Shards), len(cells))
		default:
			fmt.Fprintf(w, "missing: shard %s lacks %d cells (interrupted? resume it with tracebench run --resume):\n", results.ShardName(s, p.Shards), len(cells))
			for _, c := range cells {
				fmt.Fprintf(w, "  %s %s %s %s\n", c.Target, c.Backend, c.Mode, c.Event)
			}
		}
	}
}

func machinesNote(t results.Target) string {
	switch {
	case len(t.Machines) > 1:
		return fmt.Sprintf(", on %d machines: %s", len(t.Machines), strings.Join(t.Machines, ", "))
	case t.Host.Machine != "":
		return ", on " + t.Host.Machine
	}
	return ""
}

func joinInts(xs []int) string {
	if len(xs) == 0 {
		return "none"
	}
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	sa, erra := os.Stat(a)
	sb, errb := os.Stat(b)
	if erra != nil || errb != nil {
		return errors.Is(erra, os.ErrNotExist) && errors.Is(errb, os.ErrNotExist) && filepath.Clean(a) == filepath.Clean(b)
	}
	return os.SameFile(sa, sb)
}
