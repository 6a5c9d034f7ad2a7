// Package bpftrace is what the bpftrace backends share: a bpftrace
// script, as a user writes it, counting one probe's hits for the
// workload's cgroup in a per-CPU count() map, printed by bpftrace itself
// when it exits on SIGINT ("@seen: N"). bpftrace (0.17 in Debian 12)
// compiles the script with its built-in LLVM at every start; the cgroup
// filter (cgroup == cgroupid(path)) needs Linux 4.18 and cgroup v2.
package bpftrace

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/frontend"
	"github.com/tracebench/tracebench/event"
)

// ready is what the script's BEGIN block prints: bpftrace runs BEGIN once
// every probe is attached.
const ready = "tracebench: attached"

// Tool returns the bpftrace front end on probes of the given bpftrace
// provider ("tracepoint", "kprobe"); resolve and candidates (nil for the
// event's tracepoint) name the probe on this kernel.
func Tool(name, summary, provider string, candidates func(event.Event) []string, resolve func(event.Event) (string, error)) frontend.Tool {
	return frontend.Tool{
		Name:       name,
		Summary:    summary,
		Packages:   []string{"bpftrace"},
		Modes:      []backends.Mode{backends.Count},
		Candidates: candidates,
		Resolve:    resolve,
		Command: func(s frontend.Session) ([]string, error) {
			return []string{"bpftrace", "-e", Script(provider, s.ProbePoint, s.Filter.CgroupPath)}, nil
		},
		Ready: func(line string) bool { return line == ready },
		Count: count,
		Classify: func(_ frontend.Session, err error) *backends.Unsupported {
			if strings.Contains(err.Error(), "ERROR: tracepoint not found") {
				return backends.Unsupportedf(backends.MissingSymbol, "%v", err)
			}
			return nil
		},
	}
}

// Script is the bpftrace program counting hits of provider:point by the
// processes of the cgroup at cgroupPath.
func Script(provider, point, cgroupPath string) string {
	return fmt.Sprintf("BEGIN { printf(\"%s\\n\"); }\n%s:%s /cgroup == cgroupid(%q)/ { @seen = count(); }\n",
		ready, provider, point, cgroupPath)
}

// count reads "@seen: N" from bpftrace's exit output; bpftrace prints
// nothing for a map nothing was stored in. Counting in a map loses
// nothing.
func count(_ frontend.Session, out []string) (uint64, uint64, error) {
	for _, l := range out {
		if v, ok := strings.CutPrefix(l, "@seen: "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return 0, 0, fmt.Errorf("bpftrace printed %q: %w", l, err)
			}
			return n, 0, nil
		}
	}
	return 0, 0, nil
}
