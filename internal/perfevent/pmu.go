package perfevent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// pmuDir lists every PMU the kernel registered, one directory each, with its
// dynamic perf_event_attr.type in the file "type".
const pmuDir = "/sys/bus/event_source/devices"

// PMU is one performance monitoring unit registered with the perf core.
type PMU struct {
	Name string // directory name under /sys/bus/event_source/devices
	Type uint32 // the value for perf_event_attr.type
	Core bool   // a CPU's own hardware PMU, see [CorePMUs]
}

// PMUs lists the registered PMUs sorted by name: software, tracepoint,
// breakpoint and kprobe/uprobe are always there on a kernel with
// CONFIG_PERF_EVENTS; hardware ones only when a driver claimed the CPU's PMU.
func PMUs() ([]PMU, error) {
	entries, err := os.ReadDir(pmuDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &Error{Op: "read " + pmuDir, Class: ErrMissingConfig, Detail: "CONFIG_PERF_EVENTS", Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", pmuDir, err)
	}
	var pmus []PMU
	for _, e := range entries {
		path := filepath.Join(pmuDir, e.Name(), "type")
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		t, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		pmus = append(pmus, PMU{Name: e.Name(), Type: uint32(t), Core: isCorePMU(e.Name())})
	}
	sort.Slice(pmus, func(i, j int) bool { return pmus[i].Name < pmus[j].Name })
	return pmus, nil
}

// CorePMUs lists the CPU's hardware PMUs, the ones that count the generic
// hardware events (cycles, instructions…): "cpu" on x86, "cpu_core" and
// "cpu_atom" on hybrid Intel parts (5.13+), "armv8_pmuv3*" or
// "armv8_<core>" on arm64 (CONFIG_ARM_PMU, PMUv3 driver). An empty list means
// no hardware counters: a VM without a virtual PMU, or the host of this
// project.
func CorePMUs() ([]PMU, error) {
	all, err := PMUs()
	if err != nil {
		return nil, err
	}
	var core []PMU
	for _, p := range all {
		if p.Core {
			core = append(core, p)
		}
	}
	return core, nil
}

func isCorePMU(name string) bool {
	switch name {
	case "cpu", "cpu_core", "cpu_atom":
		return true
	}
	return strings.HasPrefix(name, "armv8_") || strings.HasPrefix(name, "armv7_")
}
