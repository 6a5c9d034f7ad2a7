package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/plan"
	"github.com/tracebench/tracebench/reports"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
)

// selFlags choose a run's cells and their budgets. `run` and `plan` share
// them, so that a plan and the shards that run it see one selection.
type selFlags struct {
	targets   string
	backends  string
	events    string
	modes     string
	budget    time.Duration
	guestBudg time.Duration
	covOnly   bool
	plugins   string
	vm        vmFlags
}

func (f *selFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.targets, "target", "t", "host", `where to run: comma-separated targets of the kernel matrix (see 'tracebench vm list'), "all" (host and every guest) or "guests"`)
	fl.StringVarP(&f.backends, "backend", "b", "ebpf/tracepoint", `backends, comma-separated, or "all" (see 'tracebench backends')`)
	fl.StringVarP(&f.events, "event", "e", "all", "events, comma-separated: "+strings.Join(event.Names(), ", ")+`, or "all"`)
	fl.StringVarP(&f.modes, "mode", "m", "", "delivery modes, comma-separated (default: every mode of each backend, e.g. count,stream)")
	fl.DurationVar(&f.budget, "budget", 60*time.Second, "measurement time budget per cell")
	fl.DurationVar(&f.guestBudg, "guest-budget", 20*time.Second, "measurement time budget per cell in guests (qemu without KVM is slow)")
	fl.BoolVar(&f.covOnly, "coverage-only", false, "portability mode: per cell only load, attach once, check exact coverage and detach (no overhead)")
	fl.StringVar(&f.plugins, "plugins", "", "directory of external backend plugin executables (in amd64 guests they run from this machine's files over 9p, with the guest kernel's Debian headers)")
	fl.StringVar(&f.vm.matrix, "matrix", "", "kernel matrix file (default: the built-in vmtests/matrix.toml)")
}

// selection resolves the flags into a plan selection.
func (f selFlags) selection() (plan.Selection, *vmtests.Cache, error) {
	sel := plan.Selection{CellBudget: f.budget, GuestBudget: f.guestBudg, CoverageOnly: f.covOnly}
	var cache *vmtests.Cache
	var err error
	if sel.Targets, cache, err = f.resolveTargets(strings.Split(f.targets, ",")); err != nil {
		return sel, nil, fmt.Errorf("--target: %w", err)
	}
	if sel.Backends, err = parseBackends(f.backends, f.plugins); err != nil {
		return sel, nil, err
	}
	if sel.Events, err = event.ParseList(f.events); err != nil {
		return sel, nil, fmt.Errorf("--event: %w", err)
	}
	if f.modes != "" {
		for _, m := range strings.Split(f.modes, ",") {
			sel.Modes = append(sel.Modes, backends.Mode(strings.TrimSpace(m)))
		}
	}
	return sel, cache, nil
}

type runFlags struct {
	selFlags
	out        string
	options    []string
	btf        string
	noCollat   bool
	callTimout time.Duration
	resume     string
	parallel   int
	load       bool
	shard      string
	planID     string
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Measure backends on workloads and write results",
		Long: `Run measures each selected backend on each selected event, in each mode, on
this machine's kernel (the "host" target), and writes DIR/results.json,
DIR/bench.txt and DIR/journal.jsonl.

Per cell it measures:
  overhead    added ns per event: the backend is attached and detached many
              times during one workload run; median(on) - median(off) with a
              95% confidence interval and a Mann-Whitney U test. Repeated until
              the interval is within 15% of the effect (or 10 ns) or the cell's
              budget is spent; an effect it cannot resolve is labelled so.
  collateral  ns added to an untraced syscall (getuid) while only this event
              is traced: what the hook taxes every other syscall.
  coverage    with the backend attached, an exact number of events is
              produced: seen, lost (as the backend counts it) and unexplained
              = produced - seen - lost. Only the workload's process tree counts.
  attach      time to attach and detach (medians over all toggles).

A backend that cannot run on this kernel is recorded as unsupported, with the
reason classified (missing-config, permission, missing-symbol, missing-btf,
no-pmu, ...). Ctrl-C stops the run, restores the kernel state and keeps every
finished cell.`,
		Example: `  tracebench run --backend ebpf/tracepoint --event getppid,openat --out /tmp/r
  tracebench run --backend all --event all --budget 20s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRun(cmd, f) },
	}
	fl := cmd.Flags()
	f.register(fl)
	fl.StringVar(&f.vm.cache, "cache", "", "kernel cache directory")
	fl.BoolVar(&f.vm.offline, "offline", false, "use the newest kernel build already in the cache for each guest, without apt or network (shards of a plan then boot the same builds)")
	fl.StringVarP(&f.out, "out", "o", "", "output directory (default results/<run-id>)")
	fl.StringArrayVar(&f.options, "option", nil, "backend option KEY=VALUE, repeatable (e.g. ringbuf_size=4096, btf=FILE, buffer_kb=64 for ftrace)")
	fl.StringVar(&f.btf, "btf", "", "load every eBPF backend with the kernel types of this BTF `FILE` (raw or ELF; see 'tracebench btf gen|min') instead of the kernel's own, on the host and in every guest")
	fl.BoolVar(&f.noCollat, "no-collateral", false, "skip the collateral-cost measurement")
	fl.DurationVar(&f.callTimout, "call-timeout", time.Minute, "deadline of each call to a backend plugin; a plugin that misses it is killed")
	fl.IntVar(&f.parallel, "guest-parallel", 0, "guests booted at once (default: one per CPU)")
	fl.BoolVar(&f.load, "load", false, "load curves: instead of overhead, measure coverage at rising event rates (1/1024 of the workload's maximum up to unpaced) and record where loss begins")
	fl.StringVar(&f.shard, "shard", "", "run only shard `i/N` of the plan of this selection (see 'tracebench plan'); merge the shards with 'tracebench merge'")
	fl.StringVar(&f.planID, "plan-id", "", "with --shard: refuse to run unless the plan computed here has this ID (the 'plan' field of 'tracebench plan')")
	fl.StringVar(&f.resume, "resume", "", "continue the interrupted run in `DIR`: measure only the cells it lacks, with its own selection and budget")
	return cmd
}

func runRun(cmd *cobra.Command, f runFlags) error {
	cfg, err := f.config(cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	if f.resume != "" {
		for _, fl := range []string{"backend", "event", "mode", "budget", "out", "option", "btf", "no-collateral", "target", "guest-budget", "coverage-only", "shard", "plan-id", "load"} {
			if cmd.Flags().Changed(fl) {
				return fmt.Errorf("--resume repeats the resumed run's own selection: --%s cannot be changed", fl)
			}
		}
		prev, err := results.ReadDir(f.resume)
		if err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
		if p := prev.Config.Plan; p != nil && p.Shard == 0 {
			return fmt.Errorf("--resume %s: a merge of shards cannot be resumed: resume the shard that is missing cells in its own directory", f.resume)
		}
		cfg = harness.ResumeConfig(cfg, prev, f.resume)
		targets, cache, err := f.resolveTargets(prev.Config.Targets)
		if err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
		setTargets(&cfg, targets, cache)
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("--resume %s: %w", f.resume, err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "resuming run %s: %d cells already measured\n", prev.RunID, len(prev.Cells))
	}
	if os.Geteuid() != 0 {
		return errors.New("tracebench run needs root: it loads eBPF programs and writes tracefs")
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	logf, err := os.Create(filepath.Join(cfg.OutDir, "tracebench.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	cfg.Log = logf
	cfg.Progress = newProgress(cmd.ErrOrStderr())
	cfg.Command = os.Args

	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(cmd.ErrOrStderr(), "tracebench %s: run %s → %s\n", harness.Version, cfg.RunID, cfg.OutDir)
	run, err := harness.Run(ctx, cfg)
	if run != nil {
		fmt.Fprintln(cmd.OutOrStdout())
		reports.Table(cmd.OutOrStdout(), run)
		fmt.Fprintf(cmd.ErrOrStderr(), "\nresults: %s\n", filepath.Join(cfg.OutDir, "results.json"))
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: kernel state restored; finished cells are in %s", cfg.OutDir)
	}
	return err
}

func (f runFlags) config(stderr io.Writer) (harness.Config, error) {
	exe, err := os.Executable()
	if err != nil {
		return harness.Config{}, err
	}
	cfg := harness.Config{
		Exe:            exe,
		AgentArgs:      []string{"workload", "agent"},
		ServeArgs:      []string{"backend", "serve"},
		PluginsDir:     f.plugins,
		Target:         "host",
		CellBudget:     f.budget,
		CallTimeout:    f.callTimout,
		SkipCollateral: f.noCollat,
		CoverageOnly:   f.covOnly,
		Load:           f.load,
		GuestBudget:    f.guestBudg,
		GuestParallel:  f.parallel,
		GuestBinaries:  harness.GuestBinaries(exe),
		RunID:          time.Now().UTC().Format("20060102-150405"),
	}
	sel, cache, err := f.selection()
	if err != nil {
		return cfg, err
	}
	cfg.Backends, cfg.Events, cfg.Modes = sel.Backends, sel.Events, sel.Modes
	targets := sel.Targets
	switch {
	case f.shard != "":
		if targets, err = f.shardTargets(&cfg, sel, stderr); err != nil {
			return cfg, err
		}
	case f.planID != "":
		return cfg, errors.New("--plan-id needs --shard")
	}
	setTargets(&cfg, targets, cache)
	if cfg.Options, err = parseOptions(f.options); err != nil {
		return cfg, err
	}
	if f.btf != "" {
		if cfg.Options, err = btfOption(cfg.Options, f.btf); err != nil {
			return cfg, err
		}
	}
	cfg.OutDir = f.out
	if cfg.OutDir == "" {
		cfg.OutDir = filepath.Join("results", cfg.RunID)
	}
	return cfg, cfg.Validate()
}

// shardTargets plans the selection, makes cfg run shard f.shard of it, and
// returns the targets that shard has cells on.
func (f runFlags) shardTargets(cfg *harness.Config, sel plan.Selection, stderr io.Writer) ([]vmtests.Target, error) {
	i, n, err := plan.ParseShard(f.shard)
	if err != nil {
		return nil, fmt.Errorf("--shard: %w", err)
	}
	p, err := plan.New(sel, n)
	if err != nil {
		return nil, err
	}
	if f.planID != "" && p.ID != f.planID {
		return nil, fmt.Errorf("--plan-id %s: the plan of this selection is %s: plan and shards must be given the same targets, backends, events, modes, budgets and --coverage-only, and run the same tracebench", f.planID, p.ID)
	}
	s, err := p.Shard(i)
	if err != nil {
		return nil, err
	}
	cfg.Plan = p.Record(i)
	var targets []vmtests.Target
	for _, t := range sel.Targets {
		if slices.Contains(s.Targets(), t.Name) {
			targets = append(targets, t)
		}
	}
	fmt.Fprintf(stderr, "shard %s of plan %s: %d cells on %s (expected %s)\n", s.Name(), p.ID, len(s.Cells()), orNone(strings.Join(s.Targets(), ", ")), s.Cost.Round(time.Second))
	return targets, nil
}

func orNone(s string) string {
	if s == "" {
		return "no target"
	}
	return s
}

// resolveTargets expands target names ("all", "guests") in the kernel
// matrix, in the order given, each once.
func (f selFlags) resolveTargets(names []string) ([]vmtests.Target, *vmtests.Cache, error) {
	m, cache, err := f.vm.load()
	if err != nil {
		return nil, nil, err
	}
	out, err := m.Select(names)
	if err != nil {
		return nil, nil, err
	}
	return out, cache, nil
}

// setTargets sets the local target and the guests of cfg.
func setTargets(cfg *harness.Config, targets []vmtests.Target, cache *vmtests.Cache) {
	cfg.SkipLocal = true
	cfg.Guests = nil
	for _, t := range targets {
		if t.Host() {
			cfg.SkipLocal, cfg.Target = false, t.Name
			continue
		}
		cfg.Guests = append(cfg.Guests, t)
	}
	if len(cfg.Guests) > 0 {
		cfg.Cache = cache
	}
}

// parseBackends checks backend names against the built-in ones and the
// plugins directory.
func parseBackends(s, pluginsDir string) ([]string, error) {
	known := builtin.Names()
	if pluginsDir != "" {
		ext, err := externalNames(pluginsDir)
		if err != nil {
			return nil, err
		}
		known = append(known, ext...)
	}
	if strings.TrimSpace(s) == "all" {
		return known, nil
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		found := false
		for _, k := range known {
			found = found || k == n
		}
		if !found {
			return nil, fmt.Errorf("--backend: unknown backend %q (available: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, n)
	}
	return out, nil
}

func parseOptions(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--option %q: want KEY=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}
