package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/kstate"
)

func newDoctorCmd() *cobra.Command {
	var fix bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Show and repair kernel state left by an interrupted run",
		Long: `Doctor lists the journals of tracebench runs whose process died with kernel
changes still in place (tracefs instances and events, kprobe events, ftrace
filters, cgroups, audit rules and status, helper daemons) and, with --fix,
undoes them. Every 'tracebench run' does the same repair when it starts.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			orphans, err := kstate.Orphans()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(orphans) == 0 {
				fmt.Fprintln(out, "no kernel state left behind by tracebench")
				return nil
			}
			for _, o := range orphans {
				fmt.Fprintf(out, "journal %s (pid %d, no longer running):\n", o.Journal, o.PID)
				for _, c := range o.Pending {
					fmt.Fprintf(out, "  %s [%s]\n", c, c.Owner)
				}
			}
			if !fix {
				fmt.Fprintln(out, "run 'tracebench doctor --fix' to undo these changes")
				return nil
			}
			if _, err := kstate.RecoverOrphans(); err != nil {
				return err
			}
			fmt.Fprintln(out, "restored")
			return nil
		},
	}
	cmd.Flags().BoolVar(&fix, "fix", false, "undo the changes")
	return cmd
}
