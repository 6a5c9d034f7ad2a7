// Package trace is the perf/trace backend: the perf tool (linux-perf)
// counting the event's static tracepoint for the workload's process tree,
// as `perf stat -e syscalls:sys_enter_getppid -p <pid>` does, the same
// tracepoints ftrace/event and ebpf/tracepoint observe. perf counts in the
// kernel (inherited perf events on the process's threads) and prints the
// total when stopped.
package trace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/frontend"
)

// Name is the backend's name.
const Name = "perf/trace"

// ready is printed by the command perf stat runs once perf has
// acknowledged enabling its counters.
const ready = "tracebench: attached"

// New returns the backend.
func New() backends.Backend {
	return frontend.New(frontend.Tool{
		Name:     Name,
		Summary:  "perf stat counting static tracepoints on the workload's process",
		Packages: []string{"linux-perf"},
		Modes:    []backends.Mode{backends.Count},
		Command:  command,
		Ready:    func(line string) bool { return line == ready },
		Count:    count,
	})
}

// command is perf stat on the workload's process (-p: every thread it
// has and, inherited, every thread and child they start later), printing
// CSV (-x,) raw counts (--no-scale). perf enables its counters only after
// it has started the command it runs as a timer, so that command's output
// cannot say counting has begun; instead perf starts with its events
// disabled (-D -1) and the command enables them through perf's control
// fifo (--control), waits for perf's ack, prints the ready line and then
// waits to be interrupted, like a user's Ctrl-C.
//
// perf's cgroup scope (-a -G <cgroup>), which filters like the eBPF
// backends, undercounted on the Linux 6.18 host when enabled this way
// while the cgroup's task slept on its pinned CPU (0 to 70% of 200000
// getppid calls, or "<not counted>"); -p undercounts too, less often
// (some attachments count part of their events or none): perf's counts
// are a measured result here, not ground truth.
func command(s frontend.Session) ([]string, error) {
	ctl, ack := filepath.Join(s.Dir, "ctl"), filepath.Join(s.Dir, "ack")
	for _, f := range []string{ctl, ack} {
		if err := syscall.Mkfifo(f, 0o600); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("perf/trace: control fifo: %w", err)
		}
	}
	timer := fmt.Sprintf("echo enable > %s && read a < %s && echo '%s' && exec sleep 86400", ctl, ack, ready)
	return []string{"perf", "stat", "--no-scale", "-x,", "-e", s.ProbePoint, "-p", strconv.Itoa(s.Filter.PID),
		"-D", "-1", "--control", "fifo:" + ctl + "," + ack, "--", "sh", "-c", timer}, nil
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
			return 0, 0, nil // no task of the workload ran while perf counted
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("perf stat counted %q: %s", f[0], l)
		}
		return n, 0, nil
	}
	return 0, 0, fmt.Errorf("perf stat printed no count for %s:\n%s", s.ProbePoint, strings.Join(out, "\n"))
}
