package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/harness"
)

func newBackendsCmd() *cobra.Command {
	var asJSON bool
	var plugins string
	cmd := &cobra.Command{
		Use:   "backends",
		Short: "List backends and what each supports on this kernel",
		Long: `Backends starts every backend (built in, and external plugins with --plugins)
and asks, for each event and mode, whether this kernel supports it. Support is
tested for real (a trial load and attach where the framework allows it), and
every "unsupported" carries a classified reason:

  missing-config  the kernel was built without the feature (e.g. CONFIG_KPROBES)
  permission      refused even to root (lockdown, a restricted build, paranoid)
  missing-symbol  none of the candidate kernel functions or tracepoints exists
  missing-btf     no kernel BTF and none given (--option btf=FILE)
  no-pmu          no hardware performance counters (or no LBR)
  missing-tool    a user-space tool the backend drives is not installed
  not-applicable  the data source cannot observe this event`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if os.Geteuid() != 0 {
				return fmt.Errorf("tracebench backends needs root: support is tested by loading and attaching")
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			names := builtin.Names()
			if plugins != "" {
				ext, err := externalNames(plugins)
				if err != nil {
					return err
				}
				names = append(names, ext...)
			}
			surveys, err := harness.SurveyBackends(cmd.Context(), harness.Config{
				Exe: exe, AgentArgs: []string{"workload", "agent"}, ServeArgs: []string{"backend", "serve"},
				PluginsDir: plugins, Backends: names,
			})
			if err != nil {
				return err
			}
			if asJSON {
				return writeSurveyJSON(cmd, surveys)
			}
			writeSurveyTable(cmd, surveys)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&plugins, "plugins", "", "directory of external backend plugin executables")
	return cmd
}

func writeSurveyTable(cmd *cobra.Command, surveys []harness.Survey) {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "BACKEND\tMODE\tEVENT\tSTATUS\tPROBE POINT / REASON")
	for _, s := range surveys {
		if s.Err != nil {
			fmt.Fprintf(w, "%s\t-\t-\tfailed\t%v\n", s.Name, s.Err)
			continue
		}
		for _, x := range s.Support {
			if x.Reason == nil {
				fmt.Fprintf(w, "%s\t%s\t%s\tavailable\t%s\n", s.Name, x.Mode, x.Event, x.ProbePoint)
			} else {
				fmt.Fprintf(w, "%s\t%s\t%s\tunsupported\t%s: %s\n", s.Name, x.Mode, x.Event, x.Reason.Class, oneLine(x.Reason.Detail))
			}
		}
	}
	w.Flush()
}

type surveyJSON struct {
	Backend string        `json:"backend"`
	Summary string        `json:"summary,omitempty"`
	Error   string        `json:"error,omitempty"`
	Support []supportJSON `json:"support,omitempty"`
}

type supportJSON struct {
	Event      string `json:"event"`
	Mode       string `json:"mode"`
	Available  bool   `json:"available"`
	ProbePoint string `json:"probe_point,omitempty"`
	Class      string `json:"class,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func writeSurveyJSON(cmd *cobra.Command, surveys []harness.Survey) error {
	var out []surveyJSON
	for _, s := range surveys {
		j := surveyJSON{Backend: s.Name, Summary: s.Description.Summary}
		if s.Err != nil {
			j.Error = s.Err.Error()
		}
		for _, x := range s.Support {
			sj := supportJSON{Event: x.Event.String(), Mode: string(x.Mode), Available: x.Reason == nil, ProbePoint: x.ProbePoint}
			if x.Reason != nil {
				sj.Class, sj.Reason = string(x.Reason.Class), x.Reason.Detail
			}
			j.Support = append(j.Support, sj)
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// externalNames asks each plugin in dir for its backend name.
func externalNames(dir string) ([]string, error) {
	paths, err := harness.PluginExecutables(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range paths {
		n, err := harness.PluginName(p)
		if err != nil {
			return nil, fmt.Errorf("plugin %s: %w", p, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
