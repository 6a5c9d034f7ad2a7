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
		Modes:      []backends.Mode{backends.Count, backends.Stream},
		Candidates: candidates,
		Resolve:    resolve,
		Command: func(s frontend.Session) ([]string, error) {
			return []string{"bpftrace", "-e", Script(s.Mode, provider, s.ProbePoint, s.Filter.CgroupPath)}, nil
		},
		Ready:  func(line string) bool { return line == ready },
		Record: func(line string) bool { return line == record },
		Count:  count,
		Classify: func(_ frontend.Session, err error) *backends.Unsupported {
			if strings.Contains(err.Error(), "ERROR: tracepoint not found") {
				return backends.Unsupportedf(backends.MissingSymbol, "%v", err)
			}
			return nil
		},
	}
}

// record is the line the stream script prints per event.
const record = "e"

// Script is the bpftrace program observing hits of provider:point by the
// processes of the cgroup at cgroupPath: counted in a map in count mode,
// each printed (through bpftrace's perf ring buffer) in stream mode.
func Script(mode backends.Mode, provider, point, cgroupPath string) string {
	action := "@seen = count();"
	if mode == backends.Stream {
		action = fmt.Sprintf("printf(\"%s\\n\");", record)
	}
	return fmt.Sprintf("BEGIN { printf(\"%s\\n\"); }\n%s:%s /cgroup == cgroupid(%q)/ { %s }\n",
		ready, provider, point, cgroupPath, action)
}

// count reads, in count mode, "@seen: N" from bpftrace's exit output
// (bpftrace prints nothing for a map nothing was stored in; counting in
// a map loses nothing); in stream mode the event lines are the count and
// bpftrace's "Lost N events" lines (its ring buffer full) the losses.
func count(s frontend.Session, out []string, records uint64) (seen, lost uint64, err error) {
	for _, l := range out {
		if v, ok := strings.CutPrefix(l, "@seen: "); ok && s.Mode == backends.Count {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return 0, 0, fmt.Errorf("bpftrace printed %q: %w", l, err)
			}
			seen += n
		}
		var n uint64
		if _, err := fmt.Sscanf(l, "Lost %d events", &n); err == nil {
			lost += n
		}
	}
	if s.Mode == backends.Stream {
		seen = records
	}
	return seen, lost, nil
}
