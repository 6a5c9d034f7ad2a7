package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/reports"
	"github.com/tracebench/tracebench/results"
)

func newReportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report DIR",
		Short: "Print a run's table and draw its charts",
		Long: `Report reads DIR/results.json, prints one row per cell and writes
DIR/overhead.svg and DIR/overhead.png: added ns per event per backend and mode,
with 95% confidence whiskers, one panel per target. Effects the measurement
could not resolve are drawn as a dashed interval, never as a bar.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := results.ReadDir(args[0])
			if err != nil {
				return err
			}
			reports.Table(cmd.OutOrStdout(), run)
			paths, err := reports.SaveOverheadChart(run, args[0])
			for _, p := range paths {
				fmt.Fprintf(cmd.OutOrStdout(), "chart: %s\n", p)
			}
			return err
		},
	}
}
