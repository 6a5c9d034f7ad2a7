package main

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/reports"
	"github.com/tracebench/tracebench/results"
)

func newJUnitCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "junit DIR",
		Short: "Write a run's portability results as JUnit XML, for CI test reports",
		Long: `JUnit reads DIR/results.json and writes JUnit XML: one test suite per
target, one test case per cell (backend, mode, event). A cell passes when it
loaded, attached and saw every event exactly; unsupported cells are skipped
with their classified reason; failed cells, and cells whose coverage is not
exact, are failures with the reason; planned cells that no shard reported (in
a merge of shards) are errors. The exit status is 0 whatever the results:
CI systems judge the XML.`,
		Example: `  tracebench junit results/merged > portability.xml
  tracebench junit results/merged -o results/merged/portability.xml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := results.ReadDir(args[0])
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := reports.JUnit(&buf, run); err != nil {
				return err
			}
			if out == "" {
				_, err := cmd.OutOrStdout().Write(buf.Bytes())
				return err
			}
			if err := results.WriteFileAtomic(out, buf.Bytes()); err != nil {
				return fmt.Errorf("junit: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to this file (atomically) instead of stdout")
	return cmd
}
