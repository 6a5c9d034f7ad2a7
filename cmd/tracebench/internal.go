package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/backends/plugin"
	"github.com/tracebench/tracebench/workloads"
)

// The commands in this file are how tracebench re-executes itself: as a
// built-in backend plugin and as a workload agent. They are hidden from
// --help: the harness starts them.

func newBackendCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "backend", Short: "Backend plugin commands", Hidden: true}
	cmd.AddCommand(&cobra.Command{
		Use:   "serve NAME",
		Short: "Serve a built-in backend as a go-plugin (started by the harness)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			b, err := builtin.New(args[0])
			if err != nil {
				return err
			}
			plugin.Serve(b)
			return nil
		},
	})
	return cmd
}

func newWorkloadCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "workload", Short: "Workload commands", Hidden: true}
	var cfg workloads.AgentConfig
	agent := &cobra.Command{
		Use:   "agent",
		Short: "Run a workload agent on stdin/stdout (started by the harness)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := workloads.Serve(cfg, os.Stdin, os.Stdout); err != nil {
				return fmt.Errorf("workload agent: %w", err)
			}
			return nil
		},
	}
	agent.Flags().IntVar(&cfg.CPU, "cpu", -1, "pin the agent to this CPU")
	agent.Flags().Uint32Var(&cfg.LoginUID, "login-uid", 0, "audit login uid to set")
	cmd.AddCommand(agent)
	return cmd
}
