package main

import "github.com/spf13/cobra"

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "tracebench",
		Short:         "Measure the cost, coverage and portability of Linux tracing backends",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newVMCmd())
	return root
}
