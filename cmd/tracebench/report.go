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
		Short: "Write a run's report: HTML, Markdown and charts",
		Long: `Report reads DIR/results.json, prints one row per cell, and writes into DIR:

  report.html   a self-contained page (inline SVG charts, no script, nothing
                fetched; opens from disk): a summary generated from the data,
                then every chart with its reading guide
  report.md     the summary, the charts and the tables, for a pull request
  charts/*.png  a PNG copy of every chart
  bench.txt     the samples in Go benchmark format, for benchstat (written
                only when missing)

Charts: added ns per event with 95% confidence whiskers (one panel per
target), relative slowdown per workload, collateral cost on untraced
syscalls, coverage and loss, the portability matrix with the reason for
every cell that did not run, attach and detach time, and each backend across
kernels. Effects the measurement could not resolve are drawn as a dashed
interval marked "?", never as a bar or a number. Targets measured under
software emulation are flagged: their absolute times are artefacts and only
ratios are shown.`,
		Example: `  tracebench report results/20261125-163211`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := results.ReadDir(args[0])
			if err != nil {
				return err
			}
			reports.Table(cmd.OutOrStdout(), run)
			files, err := reports.Write(args[0], run)
			if err != nil {
				return err
			}
			for _, p := range files.PNGs {
				fmt.Fprintf(cmd.OutOrStdout(), "chart: %s\n", p)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "markdown: %s\nbench: %s\nreport: %s\n", files.Markdown, files.Bench, files.HTML)
			return nil
		},
	}
}
