package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/reports"
	"github.com/tracebench/tracebench/results"
)

func newCompareCmd() *cobra.Command {
	var asJSON bool
	var out string
	cmd := &cobra.Command{
		Use:   "compare A B",
		Short: "Compare two runs cell by cell",
		Long: `Compare reads two runs (run directories or results.json files; A is the old
one, B the new one: two kernels, two machines, two versions) and prints, for
every cell present in both:

  added cost per event   old and new, as each run reported it, and the delta
                         new − old with its 95% confidence interval and p-value.
                         Each run's added cost is median(on) − median(off) of
                         its own stored samples, so a change of the machine's
                         speed does not read as a change of the backend's cost;
                         the two independent intervals combine in quadrature
                         (z test).
  traced ns/op           the workload's ns/op with the backend attached, old
                         on-samples against new on-samples (difference of
                         medians, Price-Bonett interval, Mann-Whitney U test),
                         as benchstat compares the state=on lines of bench.txt.

Following benchstat, a delta that is not significant (p >= 0.05) prints as
"~". Cells measured under emulation compare ratios (×). Cells present in one
run only are listed. With --out DIR, the chart of the deltas is written as
DIR/compare.svg and DIR/compare.png; with --json the comparison is printed as
JSON instead of tables.`,
		Example: `  tracebench compare results/20261125-163211 results/20261126-091500
  tracebench compare old/results.json new/results.json --json
  tracebench compare A B --out /tmp/cmp`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			old, err := readRun(args[0])
			if err != nil {
				return err
			}
			cur, err := readRun(args[1])
			if err != nil {
				return err
			}
			c, err := analysis.Compare(old, cur)
			if err != nil {
				return fmt.Errorf("compare %s and %s: %w", args[0], args[1], err)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				if err := enc.Encode(c); err != nil {
					return err
				}
			} else {
				reports.CompareTable(w, c)
			}
			if out == "" {
				return nil
			}
			paths, err := reports.WriteCompare(out, c)
			for _, p := range paths {
				fmt.Fprintf(cmd.ErrOrStderr(), "chart: %s\n", p)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the comparison as JSON")
	cmd.Flags().StringVarP(&out, "out", "o", "", "directory to write the chart of the deltas into")
	return cmd
}

// readRun reads a run from its directory or its results.json.
func readRun(path string) (*results.Run, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, results.File)
	}
	return results.Read(path)
}
