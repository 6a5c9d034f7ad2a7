// Package trace is the perf/trace backend: the perf tool (linux-perf)
// counting the event's static tracepoint for the workload's cgroup, as
// `perf stat -a -e syscalls:sys_enter_getppid -G <cgroup>` does, the same
// tracepoints ftrace/event and ebpf/tracepoint observe. perf counts in the
// kernel (a perf event per CPU on the cgroup, Linux 2.6.39+ for -G) and
// prints the total when stopped.
package trace

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/frontend"
	"github.com/tracebench/tracebench/internal/mounts"
)

// Name is the backend's name.
const Name = "perf/trace"

// ready is printed by the command perf stat runs: perf enables its
// counters before it lets the command start.
const ready = "tracebench: attached"

// New returns the backend.
func New() backends.Backend {
	return frontend.New(frontend.Tool{
		Name:     Name,
		Summary:  "perf stat counting static tracepoints on the workload's cgroup",
		Packages: []string{"linux-perf"},
		Modes:    []backends.Mode{backends.Count},
		Command:  command,
		Ready:    func(line string) bool { return line == ready },
		Count:    count,
	})
}

// command is perf stat over every CPU (-a), limited to the workload's
// cgroup (-G, a path relative to the cgroup2 mount), printing CSV (-x,).
// The command it runs marks the moment counting has begun and then waits
// to be interrupted, like a user's Ctrl-C.
func command(s frontend.Session) ([]string, error) {
	root, err := mounts.Find("cgroup2")
	if err != nil || root == "" {
		return nil, backends.Unsupportedf(backends.MissingConfig, "no cgroup2 mount: perf -G needs the workload's cgroup (%v)", err)
	}
	rel, ok := strings.CutPrefix(s.Filter.CgroupPath, root)
	if !ok || (rel != "" && rel[0] != '/') {
		return nil, fmt.Errorf("perf/trace: cgroup %s is not under the cgroup2 mount %s", s.Filter.CgroupPath, root)
	}
	if rel == "" {
		rel = "/" // the root cgroup (a Probe from a process there)
	}
	return []string{"perf", "stat", "-a", "-x,", "-e", s.ProbePoint, "-G", rel,
		"--", "sh", "-c", "echo '" + ready + "'; exec sleep 86400"}, nil
}

// count reads perf stat's CSV line for the event: "N,,event,cgroup,…".
// Counting loses nothing; a count perf could not make is an error.
func count(s frontend.Session, out []string, _ uint64) (uint64, uint64, error) {
	for _, l := range out {
		f := strings.Split(l, ",")
		if len(f) < 3 || f[2] != s.ProbePoint {
			continue
		}
		if f[0] == "<not counted>" {
			return 0, 0, nil // the cgroup never ran while perf counted
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("perf stat counted %q: %s", f[0], l)
		}
		return n, 0, nil
	}
	return 0, 0, fmt.Errorf("perf stat printed no count for %s:\n%s", s.ProbePoint, strings.Join(out, "\n"))
}
