// Package harness runs cells: for each backend and event it starts the
// backend's plugin and a workload agent, and measures overhead (toggling
// the backend on and off during one workload run), collateral cost,
// coverage and attach cost. It journals every kernel change before it is
// made and writes results after each cell.
package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/kstate"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
)

// Config is what a run measures and where it writes.
type Config struct {
	// Exe is the tracebench binary, re-executed for plugins and agents.
	Exe string
	// AgentArgs and ServeArgs are the arguments that make Exe a workload
	// agent and a built-in backend plugin (ServeArgs gets the name
	// appended).
	AgentArgs, ServeArgs []string
	// PluginsDir holds external backend plugin executables ("" for none).
	PluginsDir string
	// PluginsRoot, if set, is a root file system that PluginsDir is in
	// and that external plugins run chrooted into (a guest's view of the
	// host's root, see GuestRequest.HostRoot).
	PluginsRoot string
	// PluginsUnavailable, if set, says why the run's external plugins
	// cannot run here (a guest of another architecture than the host's):
	// their cells are then missing-tool with this reason.
	PluginsUnavailable string
	// KernelHeaders is given to external plugins in KernelHeadersEnv ("":
	// not set).
	KernelHeaders string

	Target   string // "host", or the guest's target name
	Backends []string
	Events   []event.Event
	Modes    []backends.Mode // empty: every mode of each backend
	// CellBudget bounds the measurement time of one cell.
	CellBudget time.Duration
	Options    map[string]string
	// CallTimeout bounds each call to a plugin; a plugin that does not
	// answer in time is killed and its cell fails as hung.
	CallTimeout time.Duration
	// SkipCollateral skips the collateral-cost measurement.
	SkipCollateral bool
	// Resume continues a run: its cells are kept and not measured again
	// (cells interrupted mid-measurement were never recorded, so they are
	// measured now). RunID, OutDir and the selection must be the resumed
	// run's (see ResumeConfig).
	Resume *results.Run
	// Emulated marks a guest under software emulation.
	Emulated bool
	// CoverageOnly skips the overhead and collateral measurements: each
	// cell loads, attaches once (timed), checks coverage and detaches. It
	// is the portability suite's mode.
	CoverageOnly bool
	// Load replaces the overhead measurement by a load sweep: coverage at
	// rising event rates, to find where the backend starts losing events.
	Load bool

	// Plan makes the run one shard of a plan (`run --shard`): only the
	// cells the plan gives shard Plan.Shard are measured, and the plan is
	// recorded in the results for `tracebench merge`.
	Plan *results.Plan

	// SkipLocal runs no cell on the running kernel (only guests).
	SkipLocal bool
	// Guests are kernels to boot in qemu and run the same cells in.
	Guests []vmtests.Target
	Cache  *vmtests.Cache
	// GuestBinaries maps an architecture to a static tracebench binary
	// for a guest's /init (see GuestBinaries).
	GuestBinaries map[string]string
	// GuestBudget is the cell budget in guests (emulation is slow; the
	// portability suite needs little).
	GuestBudget time.Duration
	// GuestParallel is how many guests run at once (0: one per CPU).
	GuestParallel int

	OutDir  string
	RunID   string
	Command []string
	// Progress receives one line per cell and, on a terminal, live status.
	Progress Progress
	// Log receives plugin logs and diagnostics.
	Log io.Writer
}

// Validate checks the configuration before anything is changed.
func (c *Config) Validate() error {
	switch {
	case c.Exe == "":
		return errors.New("no tracebench executable to re-execute")
	case len(c.Backends) == 0:
		return errors.New("no backend selected")
	case len(c.Events) == 0:
		return errors.New("no event selected")
	case len(c.Guests) > 0 && c.Cache == nil:
		return errors.New("guest targets need a kernel cache")
	case c.CellBudget < time.Second:
		return fmt.Errorf("cell budget %v is too short: at least 1s", c.CellBudget)
	case c.OutDir == "":
		return errors.New("no output directory")
	}
	for _, m := range c.Modes {
		if m == "" {
			return errors.New("empty mode name")
		}
	}
	if c.Target == "" {
		c.Target = "host"
	}
	if c.GuestBudget == 0 {
		c.GuestBudget = c.CellBudget
	}
	if c.CallTimeout == 0 {
		c.CallTimeout = time.Minute
	}
	if c.Progress == nil {
		c.Progress = NopProgress{}
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return nil
}

// Run measures every cell of cfg and returns the results, which are also
// written to cfg.OutDir after each cell. Kernel state changed during the
// run is restored before Run returns, whatever happens (and, if the
// process dies, at the next start, from the journal).
func Run(ctx context.Context, cfg Config) (*results.Run, error) {
	h, err := start(cfg)
	if err != nil {
		return nil, err
	}
	run, err := h.run(ctx)
	if cerr := h.journal.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("restore kernel state: %w", cerr))
	}
	return run, err
}

// start validates cfg, repairs what an earlier run that died left behind,
// and opens the journal of this one.
func start(cfg Config) (*harness, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := kstate.RecoverOrphans(); err != nil {
		return nil, fmt.Errorf("restore kernel state left by an earlier run: %w", err)
	}
	j, err := kstate.Create(cfg.OutDir)
	if err != nil {
		return nil, err
	}
	h := &harness{cfg: cfg, journal: j, done: map[results.Key]bool{}}
	h.machine, _ = os.Hostname()
	if p := cfg.Plan; p != nil {
		h.only = map[results.Key]bool{}
		for _, c := range p.Cells {
			if c.Shard == p.Shard {
				h.only[c.Key()] = true
			}
		}
	}
	return h, nil
}

type harness struct {
	cfg     Config
	journal *kstate.Journal
	env     *environment
	mu      sync.Mutex // guards res and done: guests finish concurrently
	res     *results.Run
	done    map[results.Key]bool // cells recorded
	only    map[results.Key]bool // the shard's cells; nil: every cell
	machine string               // hostname, recorded in every cell

	externalsOnce sync.Once // describes the plugins directory's plugins
	externals     []external
	externalsErr  error
}

// wanted reports whether the run measures cell k: every cell, or only
// those of its shard.
func (h *harness) wanted(k results.Key) bool { return h.only == nil || h.only[k] }

// wantsBackend reports whether the run has any cell of backend on target.
func (h *harness) wantsBackend(target, backend string) bool {
	if h.only == nil {
		return true
	}
	for k := range h.only {
		if k.Target == target && k.Backend == backend {
			return true
		}
	}
	return false
}

func (h *harness) run(ctx context.Context) (*results.Run, error) {
	env, err := prepare(h.cfg, h.journal)
	if err != nil {
		return nil, err
	}
	h.env = env
	defer env.restoreAffinity()
	facts := HostFacts()
	facts.Emulated = h.cfg.Emulated
	var modes []string
	for _, m := range h.cfg.Modes {
		modes = append(modes, string(m))
	}
	h.res = &results.Run{
		RunID:      h.cfg.RunID,
		Tracebench: Version,
		Started:    time.Now().UTC(),
		Command:    h.cfg.Command,
		Config: results.Config{
			Targets:  h.cfg.targetNames(),
			Backends: h.cfg.Backends, Events: h.cfg.Events, Modes: modes,
			SkipCollateral: h.cfg.SkipCollateral, CoverageOnly: h.cfg.CoverageOnly, Load: h.cfg.Load,
			CellBudget: h.cfg.CellBudget, GuestBudget: h.cfg.GuestBudget,
			Options: h.cfg.Options, WorkloadCPU: env.workloadCPU, Plan: h.cfg.Plan,
		},
	}
	if !h.cfg.SkipLocal {
		h.res.Targets = []results.Target{{Name: h.cfg.Target, Host: facts}}
	}
	if r := h.cfg.Resume; r != nil {
		h.res.Started, h.res.Command, h.res.Cells = r.Started, r.Command, r.Cells
		for _, t := range r.Targets {
			h.addTarget(t)
		}
		for _, c := range r.Cells {
			h.done[c.Key()] = true
		}
	}
	if err := h.save(); err != nil {
		return nil, err
	}
	if !h.cfg.SkipLocal {
		for _, name := range h.orderBackends() {
			if ctx.Err() != nil {
				break
			}
			h.runBackend(ctx, name)
		}
	}
	if len(h.cfg.Guests) > 0 {
		h.runGuests(ctx)
	}
	h.sortTargets()
	if ctx.Err() == nil {
		h.res.Finished = time.Now().UTC()
	}
	if err := h.save(); err != nil {
		return h.res, err
	}
	return h.res, ctx.Err()
}

// orderBackends puts audit backends last: once audit has been enabled,
// every new process on the machine takes the slower syscall path until
// reboot, which would tax every later cell.
func (h *harness) orderBackends() []string {
	audit := map[string]int{}
	for _, name := range h.cfg.Backends {
		audit[name] = btoi(h.traits(name).Audit)
	}
	out := slices.Clone(h.cfg.Backends)
	slices.SortStableFunc(out, func(a, b string) int { return audit[a] - audit[b] })
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// save writes results.json and bench.txt; called after every cell, so an
// interrupted run keeps what it measured. The caller holds h.mu or runs
// alone.
func (h *harness) save() error {
	if err := results.Write(h.cfg.OutDir, h.res); err != nil {
		return err
	}
	return results.WriteBench(h.cfg.OutDir, h.res)
}

func (h *harness) addCell(c results.Cell) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.done[c.Key()] = true
	h.addCellLocked(c)
}

func (h *harness) addCellLocked(c results.Cell) {
	h.res.Cells = append(h.res.Cells, c)
	h.cfg.Progress.CellDone(c)
	if err := h.save(); err != nil {
		fmt.Fprintf(h.cfg.Log, "write results: %v\n", err)
	}
}

// Version is tracebench's version, set at build time by the Makefile
// (-ldflags "-X …/harness.Version=…").
var Version = "dev"

func goarch() string { return runtime.GOARCH }

// sortTargets puts targets in the order they were asked for (guests are
// added as they finish).
func (h *harness) sortTargets() {
	order := map[string]int{}
	for i, n := range h.cfg.targetNames() {
		order[n] = i + 1
	}
	slices.SortStableFunc(h.res.Targets, func(a, b results.Target) int { return order[a.Name] - order[b.Name] })
}

// targetNames lists the run's targets: the local one unless skipped, then
// the guests.
func (c *Config) targetNames() []string {
	var out []string
	if !c.SkipLocal {
		out = append(out, c.Target)
	}
	for _, g := range c.Guests {
		out = append(out, g.Name)
	}
	return out
}

// ResumeConfig returns cfg set up to resume the run r: its identity,
// directory and selection come from r, so that only what r lacks is
// measured, as r's command asked. The caller resolves r.Config.Targets
// into cfg.Target, SkipLocal and Guests.
func ResumeConfig(cfg Config, r *results.Run, dir string) Config {
	cfg.Resume = r
	cfg.RunID = r.RunID
	cfg.OutDir = dir
	cfg.Backends = r.Config.Backends
	cfg.Events = r.Config.Events
	cfg.Modes = nil
	for _, m := range r.Config.Modes {
		cfg.Modes = append(cfg.Modes, backends.Mode(m))
	}
	cfg.SkipCollateral = r.Config.SkipCollateral
	cfg.CoverageOnly = r.Config.CoverageOnly
	cfg.Load = r.Config.Load
	cfg.CellBudget = r.Config.CellBudget
	cfg.GuestBudget = r.Config.GuestBudget
	cfg.Options = r.Config.Options
	cfg.Plan = r.Config.Plan
	return cfg
}
