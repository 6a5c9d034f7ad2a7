package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/reports"
	"github.com/tracebench/tracebench/results"
)

func newPortabilityCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "portability DIR",
		Short: "Print a run's portability matrix: what loads, attaches and sees every event, per kernel",
		Long: `Portability reads DIR/results.json and prints, per backend and mode (rows)
and target kernel (columns), how many events loaded, attached and were seen
exactly ("ok 4/4"), and otherwise the classified reason, with every reason in
full below. Then, per target, where the eBPF backends found kernel types
(kernel BTF, external, minimized, generated from DWARF), the BTF's size and
the CO-RE relocations a load applied; then the probe point each kernel
resolved per backend and event.
'make vmtest' runs the portability suite on every target and prints this.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := results.ReadDir(args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			reports.PortabilityTable(w, run)
			fmt.Fprintln(w)
			reports.BTFTable(w, run)
			fmt.Fprintln(w)
			reports.ProbePointTable(w, run)
			return nil
		},
	}
}
