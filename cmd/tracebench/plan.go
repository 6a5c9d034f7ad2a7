package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/plan"
)

func newPlanCmd() *cobra.Command {
	var f selFlags
	var shards int
	var quiet bool
	cmd := &cobra.Command{
		Use:   "plan --shards N",
		Short: "Split a run into N shards for a CI job matrix or a Kubernetes Indexed Job",
		Long: `Plan splits the run that 'tracebench run' would make with the same flags —
every (target, backend, mode, event) cell — into N shards of about equal
expected time, and prints them as one line of JSON that a CI matrix takes as is:

  {"include":[{"shard":"1/4","index":1,"plan":"…","cells":96,"targets":"host debian:6.1/amd64","boots":1,"estimate":"41m30s"},…]}

Each shard runs with 'tracebench run --shard i/N' and the same flags (add
--plan-id to refuse a shard whose plan differs); 'tracebench merge' joins
their results. The split depends only on the flags, never on the machine or
the time. A guest's cells stay together (one boot) unless splitting them
shortens the longest shard. A summary goes to stderr.`,
		Example: `  tracebench plan --target all --backend all --event all --shards 4
  tracebench plan --target guests --backend all --coverage-only --shards 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sel, _, err := f.selection()
			if err != nil {
				return err
			}
			p, err := plan.New(sel, shards)
			if err != nil {
				return err
			}
			if !quiet {
				p.Summary(cmd.ErrOrStderr())
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(p.Matrix())
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().IntVarP(&shards, "shards", "n", 1, "number of shards")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no summary on stderr")
	return cmd
}
