package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/vmtests"
	"github.com/tracebench/tracebench/vmtests/guest"
)

// vmFlags are the options every vm subcommand shares.
type vmFlags struct {
	matrix  string
	cache   string
	offline bool
}

func (f *vmFlags) load() (*vmtests.Matrix, *vmtests.Cache, error) {
	m := vmtests.DefaultMatrix()
	if f.matrix != "" {
		var err error
		if m, err = vmtests.LoadMatrix(f.matrix); err != nil {
			return nil, nil, err
		}
	}
	c, err := vmtests.OpenCache(f.cache)
	if c != nil {
		c.Offline = f.offline
	}
	return m, c, err
}

// targets resolves names ("all" means every guest target) in m.
func targets(m *vmtests.Matrix, names []string) ([]vmtests.Target, error) {
	var out []vmtests.Target
	for _, n := range names {
		if n == "all" {
			for _, t := range m.Targets {
				if !t.Host() {
					out = append(out, t)
				}
			}
			continue
		}
		t, err := m.Lookup(n)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func newVMCmd() *cobra.Command {
	var f vmFlags
	cmd := &cobra.Command{
		Use:   "vm",
		Short: "Kernel matrix: fetch guest kernels and boot them in qemu",
		Long: `The kernel matrix names the kernels cells run on: the host, Debian kernel
packages (fetched with apt under a private configuration) and local images.
Kernels are cached by version under $TRACEBENCH_CACHE, $XDG_CACHE_HOME/tracebench
or ~/.cache/tracebench.`,
	}
	cmd.PersistentFlags().StringVar(&f.matrix, "matrix", "", "kernel matrix file (default: the built-in vmtests/matrix.toml)")
	cmd.PersistentFlags().StringVar(&f.cache, "cache", "", "kernel cache directory")
	cmd.PersistentFlags().BoolVar(&f.offline, "offline", false, "use the newest kernel build already in the cache, without apt or network")
	cmd.AddCommand(newVMFetchCmd(&f), newVMListCmd(&f), newVMBootCmd(&f), newVMSelftestCmd())
	cmd.AddCommand(newVMBuildKernelCmd(&f))
	cmd.AddCommand(newVMBTFCmd(&f))
	return cmd
}

func newVMFetchCmd(f *vmFlags) *cobra.Command {
	var asJSON, prune bool
	cmd := &cobra.Command{
		Use:   "fetch TARGET... | all",
		Short: "Download and cache guest kernels; a cached build is not downloaded again",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, c, err := f.load()
			if err != nil {
				return err
			}
			ts, err := targets(m, args)
			if err != nil {
				return err
			}
			kernels, err := fetchAll(cmd.Context(), c, ts)
			if prune && err == nil {
				removed, perr := c.Prune(kernels)
				for _, d := range removed {
					fmt.Fprintf(cmd.ErrOrStderr(), "pruned %s\n", d)
				}
				if perr != nil {
					return perr
				}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if jerr := enc.Encode(kernels); jerr != nil {
					return jerr
				}
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "TARGET\tRELEASE\tVERSION\tFETCH\tDIRECTORY")
			for _, k := range kernels {
				how := "cached"
				if k.Downloaded {
					how = "downloaded"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.Target, k.Release, orDash(k.Version), how, k.Dir)
			}
			w.Flush()
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the fetched kernels as JSON")
	cmd.Flags().BoolVar(&prune, "prune", false, "then remove every other kernel build from the cache (keeps a cache carried between CI runs small)")
	return cmd
}

// fetchAll fetches targets in parallel (unpacking is CPU-bound) and returns
// the kernels fetched, in target order, and every error.
func fetchAll(ctx context.Context, c *vmtests.Cache, ts []vmtests.Target) ([]vmtests.Kernel, error) {
	kernels := make([]vmtests.Kernel, len(ts))
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Go(func() { kernels[i], errs[i] = c.Fetch(ctx, t) })
	}
	wg.Wait()
	var ok []vmtests.Kernel
	var msgs []string
	for i := range ts {
		if errs[i] != nil {
			msgs = append(msgs, errs[i].Error())
		} else {
			ok = append(ok, kernels[i])
		}
	}
	if len(msgs) > 0 {
		return ok, fmt.Errorf("fetch: %s", strings.Join(msgs, "\n"))
	}
	return ok, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newVMListCmd(f *vmFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Show the kernel matrix and which kernel builds are cached",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			m, c, err := f.load()
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(w, "TARGET\tARCH\tSOURCE\tCACHED (%s)\n", c.Dir)
			for _, t := range m.Targets {
				src, cached := "running kernel", "-"
				if !t.Host() {
					src = t.Source.String()
					ks, err := c.Cached(t.Name)
					if err != nil {
						return err
					}
					var vs []string
					for _, k := range ks {
						vs = append(vs, k.Release+" "+orDash(k.Version))
					}
					if len(vs) > 0 {
						cached = strings.Join(vs, ", ")
					}
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Name, t.Arch, src, cached)
			}
			return w.Flush()
		},
	}
}

func newVMBootCmd(f *vmFlags) *cobra.Command {
	var opts vmtests.BootOptions
	cmd := &cobra.Command{
		Use:   "boot TARGET [-- COMMAND...]",
		Short: "Boot a guest kernel with this binary as /init and run a tracebench command in it",
		Long: `Boot fetches TARGET if needed, boots it in qemu with this binary (which must be
static: CGO_ENABLED=0; for another architecture pass --init) as /init, runs the tracebench COMMAND inside (default:
"vm selftest"), prints what the guest wrote to its results port and exits with
the guest command's status.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, c, err := f.load()
			if err != nil {
				return err
			}
			t, err := m.Lookup(args[0])
			if err != nil {
				return err
			}
			k, err := c.Fetch(cmd.Context(), t)
			if err != nil {
				return err
			}
			if opts.Init == "" {
				if opts.Init, err = os.Executable(); err != nil {
					return err
				}
			}
			opts.Args = args[1:]
			if len(opts.Args) == 0 {
				opts.Args = []string{"vm", "selftest"}
			}
			opts.Memory, opts.CPUs, opts.ICount = t.Memory, t.CPUs, t.ICount
			if opts.Timeout == 0 {
				opts.Timeout = t.Timeout
			}
			res, err := vmtests.Boot(cmd.Context(), k, opts)
			cmd.OutOrStdout().Write(res.Output)
			if res.Elapsed > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s ran %s (emulated: %v), console log %s\n",
					t.Name, k.Release, res.Elapsed.Round(time.Millisecond), res.Emulated, res.ConsoleLog)
			}
			if err != nil {
				return err
			}
			if res.ExitCode != 0 {
				return exitStatus(res.ExitCode)
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 0, "kill the guest after this long (default: the target's, else 5m)")
	cmd.Flags().StringVar(&opts.LogDir, "log-dir", "", "directory for the console log")
	cmd.Flags().StringVar(&opts.Cmdline, "append", "", "extra kernel command line")
	cmd.Flags().StringVar(&opts.Init, "init", "", "static tracebench binary for the guest's architecture (default: this binary)")
	return cmd
}

// newVMSelftestCmd reports what the kernel offers; in a guest the JSON goes
// to the results port, on the host to stdout.
func newVMSelftestCmd() *cobra.Command {
	var status int
	cmd := &cobra.Command{
		Use:    "selftest",
		Short:  "Report kernel facts (release, BTF, mounts, modules, loopback) as JSON",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			facts, err := guest.ReadFacts()
			if err != nil {
				return err
			}
			var out io.Writer = cmd.OutOrStdout()
			if s := guest.FromContext(cmd.Context()); s != nil {
				out = s.Results()
			}
			if err := json.NewEncoder(out).Encode(facts); err != nil {
				return err
			}
			if status != 0 {
				return exitStatus(status)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&status, "exit", 0, "exit with this status after reporting (tests status propagation)")
	return cmd
}
