package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/elfbundle"
	"github.com/tracebench/tracebench/plan"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
	"github.com/tracebench/tracebench/vmtests/qemu"
)

// emulationSlowdown scales per-call deadlines in emulated guests.
const emulationSlowdown = 5

// GuestRequestFile is where the host puts a guest's request in its
// initramfs; `tracebench guest-run` reads it.
const GuestRequestFile = "/tracebench/request.json"

// GuestRequest is what a guest is asked to measure: the same cells as on
// the host, labelled with the guest's target name.
type GuestRequest struct {
	RunID          string            `json:"run_id"`
	Target         string            `json:"target"`
	Backends       []string          `json:"backends"`
	Events         []event.Event     `json:"events"`
	Modes          []backends.Mode   `json:"modes,omitempty"`
	CellBudget     time.Duration     `json:"cell_budget_ns"`
	CallTimeout    time.Duration     `json:"call_timeout_ns"`
	Options        map[string]string `json:"options,omitempty"`
	SkipCollateral bool              `json:"skip_collateral,omitempty"`
	CoverageOnly   bool              `json:"coverage_only,omitempty"`
	Load           bool              `json:"load,omitempty"`
	Emulated       bool              `json:"emulated"`
	// HideBTF: hide /sys/kernel/btf from the guest's user space first
	// (the target's hide_btf).
	HideBTF bool `json:"hide_btf,omitempty"`
	// PluginsDir is the host's plugins directory, run from HostRoot, the
	// guest's mount point of the host's root file system, chrooted into
	// it; KernelHeaders is where the guest mounted its kernel's headers
	// ("" for none). See pluginShares.
	PluginsDir    string `json:"plugins_dir,omitempty"`
	HostRoot      string `json:"host_root,omitempty"`
	KernelHeaders string `json:"kernel_headers,omitempty"`
	// PluginsShare is where the guest mounted the plugins directory.
	PluginsShare string `json:"plugins_share,omitempty"`
	// PluginsUnavailable says why the run's external plugins are not
	// shared with the guest (Config.PluginsUnavailable).
	PluginsUnavailable string `json:"plugins_unavailable,omitempty"`
	// Done are cells already measured (a resumed run): the guest skips them.
	Done []results.Cell `json:"done,omitempty"`
	// Plan restricts the guest to its shard's cells (see Config.Plan).
	Plan *results.Plan `json:"plan,omitempty"`
}

// GuestConfig turns a request read inside the guest into the harness
// configuration of a local run there.
func GuestConfig(req GuestRequest, exe, outDir string) Config {
	cfg := Config{
		Exe: exe, AgentArgs: []string{"workload", "agent"}, ServeArgs: []string{"backend", "serve"},
		Target: req.Target, Backends: req.Backends, Events: req.Events, Modes: req.Modes,
		CellBudget: req.CellBudget, CallTimeout: req.CallTimeout, Options: req.Options,
		SkipCollateral: req.SkipCollateral, CoverageOnly: req.CoverageOnly, Load: req.Load, Emulated: req.Emulated,
		OutDir: outDir, RunID: req.RunID, Plan: req.Plan,
		PluginsDir: req.PluginsDir, PluginsRoot: req.HostRoot, KernelHeaders: req.KernelHeaders,
		PluginsUnavailable: req.PluginsUnavailable,
	}
	if len(req.Done) > 0 {
		cfg.Resume = &results.Run{RunID: req.RunID, Cells: req.Done}
	}
	if req.Emulated {
		// Loads, verification and BTF decoding run 10–50 times slower
		// under emulation: a plugin is hung only well past that.
		cfg.CallTimeout *= emulationSlowdown
	}
	return cfg
}

// runGuests boots every guest target, in parallel up to cfg.GuestParallel
// at a time, runs the cells in each and merges what comes back.
func (h *harness) runGuests(ctx context.Context) {
	pool := qemu.NewPool(h.cfg.GuestParallel)
	var wg sync.WaitGroup
	for _, t := range h.cfg.Guests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pool.Do(ctx, func() error {
				h.runGuest(ctx, t)
				return nil
			})
		}()
	}
	wg.Wait()
}

func (h *harness) runGuest(ctx context.Context, t vmtests.Target) {
	if ctx.Err() != nil {
		return
	}
	req := h.guestRequest(t)
	if len(req.Done) == h.cellCount(t.Name) {
		return // resumed, or another shard's target: nothing to measure there
	}
	h.cfg.Progress.Status("%s: fetching the kernel", t.Name)
	k, err := h.cfg.Cache.Fetch(ctx, t)
	if err != nil {
		h.failTarget(t, "fetch kernel: "+err.Error())
		return
	}
	init, ok := h.cfg.GuestBinaries[t.Arch]
	if !ok {
		h.failTarget(t, fmt.Sprintf("no static tracebench binary for %s: build one with `make build` (GOARCH=%s CGO_ENABLED=0 go build -o bin/tracebench-linux-%s ./cmd/tracebench)", t.Arch, t.Arch, t.Arch))
		return
	}
	files, opts, err := guestBTF(ctx, t, k, h.cfg.Options[loader.OptBTF])
	if err != nil {
		h.failTarget(t, "external BTF: "+err.Error())
		return
	}
	req.Options = mergeOptions(req.Options, opts)
	shares := h.pluginShares(ctx, t, k, &req)
	b, err := json.Marshal(req)
	if err != nil {
		h.failTarget(t, err.Error())
		return
	}
	files = mergeOptions(files, map[string][]byte{GuestRequestFile: b})
	h.cfg.Progress.Status("%s: booting Linux %s (%d cells)", t.Name, k.Release, h.cellCount(t.Name)-len(req.Done))
	res, err := vmtests.Boot(ctx, k, vmtests.BootOptions{
		Init:        init,
		Args:        []string{"guest-run", GuestRequestFile},
		Files:       files,
		Executables: h.guestTools(t.Arch),
		Shares:      shares,
		Timeout:     h.guestTimeout(t),
		LogDir:      filepath.Join(h.cfg.OutDir, "logs"),
		Memory:      cmpOr(t.Memory, "1G"),
		CPUs:        t.CPUs,
		ICount:      t.ICount,
	})
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		h.failTarget(t, fmt.Sprintf("%v; last console lines: %s", err, strings.Join(lastLines(res.ConsoleTail, 8), " | ")))
		// A guest that died mid-run may still have sent a partial run.
	}
	if len(res.Output) == 0 {
		if err == nil {
			h.failTarget(t, fmt.Sprintf("guest exited with status %d without results; console: %s", res.ExitCode, res.ConsoleLog))
		}
		return
	}
	run, derr := results.Decode(res.Output)
	if derr != nil {
		h.failTarget(t, fmt.Sprintf("guest results: %v (console: %s)", derr, res.ConsoleLog))
		return
	}
	h.mergeGuest(t, k, run)
}

// guestTools returns the programs the run's backends drive that a guest
// lacks (backends.Traits.GuestTools of built-in backends: external plugins
// run in guests from the host's root), taken with their libraries from this
// machine, so only for guests of its architecture. A tool that cannot be
// bundled is left out, and its backend's guest cells are missing-tool.
func (h *harness) guestTools(arch string) map[string][]byte {
	out := map[string][]byte{}
	for _, b := range h.cfg.Backends {
		for _, tool := range builtin.TraitsOf(b).GuestTools {
			files, err := elfbundle.Bundle(arch, tool)
			if err != nil {
				fmt.Fprintf(h.cfg.Log, "%s guests get no %s: %v\n", arch, tool, err)
				continue
			}
			maps.Copy(out, files)
		}
	}
	return out
}

func (h *harness) guestRequest(t vmtests.Target) GuestRequest {
	req := GuestRequest{
		RunID: h.cfg.RunID, Target: t.Name, Backends: h.cfg.Backends, Events: h.cfg.Events, Modes: h.cfg.Modes,
		CellBudget: h.cfg.GuestBudget, CallTimeout: h.cfg.CallTimeout, Options: h.cfg.Options,
		SkipCollateral: h.cfg.SkipCollateral, CoverageOnly: h.cfg.CoverageOnly, Load: h.cfg.Load, Emulated: qemu.Emulated(t.Arch),
		Plan: h.cfg.Plan, HideBTF: t.HideBTF,
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.res.Cells {
		if c.Target == t.Name && h.done[c.Key()] {
			req.Done = append(req.Done, c)
		}
	}
	return req
}

// guestTimeout bounds a guest's whole run: boot, and every cell at its
// budget with room for set-up under emulation.
func (h *harness) guestTimeout(t vmtests.Target) time.Duration {
	if t.Timeout > 0 {
		return t.Timeout
	}
	return 3*time.Minute + time.Duration(h.cellCount(t.Name))*(h.cfg.GuestBudget*3/2+45*time.Second)
}

// cellCount is how many cells the run has on a target: backends × modes
// × events, or those of its shard.
func (h *harness) cellCount(target string) int {
	n := 0
	for _, b := range h.cfg.Backends {
		for _, m := range h.modesOf(b) {
			for _, ev := range h.cfg.Events {
				if h.wanted(results.Key{Target: target, Backend: b, Mode: string(m), Event: ev}) {
					n++
				}
			}
		}
	}
	return n
}

// modesOf is the modes measured for backend b (see plan.Modes); count
// alone for an external plugin when none were asked for.
func (h *harness) modesOf(name string) []backends.Mode {
	if modes, err := plan.Modes(name, h.cfg.Modes); err == nil {
		return modes
	}
	return []backends.Mode{backends.Count}
}

// failTarget records every not yet measured cell of t as failed.
func (h *harness) failTarget(t vmtests.Target, why string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.addTarget(results.Target{Name: t.Name, Host: results.Host{Arch: t.Arch, Emulated: qemu.Emulated(t.Arch)}})
	for _, b := range h.cfg.Backends {
		for _, m := range h.modesOf(b) {
			for _, ev := range h.cfg.Events {
				k := results.Key{Target: t.Name, Backend: b, Mode: string(m), Event: ev}
				if h.done[k] || !h.wanted(k) {
					continue
				}
				h.done[k] = true
				c := h.newCellFor(t.Name, b, m, ev, results.Failed, &results.Reason{Class: string(backends.Failed), Detail: why})
				c.Emulated = qemu.Emulated(t.Arch)
				h.addCellLocked(c)
			}
		}
	}
}

// mergeGuest adds a guest run's target and cells to the run.
func (h *harness) mergeGuest(t vmtests.Target, k vmtests.Kernel, run *results.Run) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, gt := range run.Targets {
		if gt.Name == t.Name {
			gt.Host.Machine = h.machine // the machine that ran qemu
			if gt.Host.Emulated {
				gt.Host.ICount = t.ICount
			}
			h.addTarget(gt)
		}
	}
	for _, c := range run.Cells {
		if c.Target != t.Name || h.done[c.Key()] || !h.wanted(c.Key()) {
			continue
		}
		c.Machine = h.machine // the machine that ran qemu
		h.done[c.Key()] = true
		h.addCellLocked(c)
	}
	fmt.Fprintf(h.cfg.Log, "%s: Linux %s (%s) done\n", t.Name, k.Release, k.Version)
}

func (h *harness) addTarget(t results.Target) {
	for i, x := range h.res.Targets {
		if x.Name == t.Name {
			if t.Host.KernelRelease != "" {
				h.res.Targets[i] = t
			}
			return
		}
	}
	h.res.Targets = append(h.res.Targets, t)
}

// mergeOptions returns a's entries overridden by b's (options, or
// initramfs files).
func mergeOptions[V any](a, b map[string]V) map[string]V {
	out := map[string]V{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func lastLines(ls []string, n int) []string {
	if len(ls) > n {
		return ls[len(ls)-n:]
	}
	return ls
}

// GuestBinaries finds a static tracebench binary per architecture to be a
// guest's /init: the file tracebench-linux-ARCH next to exe (`make build`
// puts them there), or exe itself for its own architecture when it is
// statically linked.
func GuestBinaries(exe string) map[string]string {
	out := map[string]string{}
	for _, arch := range vmtests.Arches {
		p := filepath.Join(filepath.Dir(exe), "tracebench-linux-"+arch)
		if vmtests.CheckInit(p, arch) == nil {
			out[arch] = p
		}
	}
	if _, ok := out[runtime.GOARCH]; !ok && vmtests.CheckInit(exe, runtime.GOARCH) == nil {
		out[runtime.GOARCH] = exe
	}
	return out
}
