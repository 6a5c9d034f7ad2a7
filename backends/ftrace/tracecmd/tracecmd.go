// Package tracecmd is the ftrace/trace-cmd backend: trace-cmd (the
// command-line front end of ftrace) recording the event's static
// tracepoint into a trace file, in its own instance (-B) and for the
// workload's tasks and their children (-P, -c: set_event_pid with
// options/event-fork, Linux 4.7+), as `trace-cmd record` is run by its
// users. tracebench reads the trace file back with `trace-cmd report` and
// counts the event's records; the ring buffer overruns trace-cmd prints
// when it stops are the losses. It is compared with ftrace/event, which
// does the same through tracefs directly.
//
// trace-cmd record (3.1) turns the function tracer on (writing
// /proc/sys/kernel/ftrace_enabled) even to record trace events: a kernel
// that refuses that, as the development host does, refuses trace-cmd. The
// harness carries the host's trace-cmd into amd64 guests
// (backends.Traits.GuestTools), whose kernels accept it. trace-cmd prints
// its ready line through C stdio, which holds it back when the output is
// a pipe: it runs on a pseudo-terminal, as from a shell.
package tracecmd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/frontend"
	"github.com/tracebench/tracebench/backends/ftrace"
	"github.com/tracebench/tracebench/internal/tracefs"
	"github.com/tracebench/tracebench/kstate"
)

// Name is the backend's name.
const Name = "ftrace/trace-cmd"

// ready is what trace-cmd record prints once its events are enabled.
const ready = "Hit Ctrl^C to stop recording"

// New returns the backend.
func New() backends.Backend {
	return frontend.New(frontend.Tool{
		Name:       Name,
		Summary:    "trace-cmd record of static tracepoints in its own instance, for the workload's tasks",
		Packages:   []string{"trace-cmd"},
		GuestTools: []string{"trace-cmd"},
		Modes:      []backends.Mode{backends.Stream},
		Command:    command,
		Ready:      func(line string) bool { return strings.Contains(line, ready) },
		Terminal:   true, // it prints the ready line through stdio
		Count:      count,
		Changes: func(s frontend.Session) []kstate.Change {
			return []kstate.Change{{Kind: kstate.Dir, Path: instance(s), Note: "trace-cmd instance"}}
		},
		Undo:     undo,
		Classify: classify,
	})
}

// instance is the tracefs instance trace-cmd records in.
func instance(s frontend.Session) string {
	return filepath.Join(s.Tracefs, "instances", tracefs.InstancePrefix+s.Name)
}

func traceFile(s frontend.Session) string { return filepath.Join(s.Dir, "trace.dat") }

func command(s frontend.Session) ([]string, error) {
	tids, err := ftrace.Tasks(s.Filter.PID)
	if err != nil {
		return nil, err
	}
	argv := []string{"trace-cmd", "record", "-B", tracefs.InstancePrefix + s.Name, "-e", s.ProbePoint}
	for _, tid := range tids {
		argv = append(argv, "-P", strconv.Itoa(tid))
	}
	return append(argv, "-c", "-o", traceFile(s)), nil
}

// count counts the event's records in the trace file, and sums the
// per-CPU "overrun:" lines trace-cmd prints when it stops as lost.
func count(s frontend.Session, out []string, _ uint64) (seen, lost uint64, err error) {
	for _, l := range out {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "overrun:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return 0, 0, fmt.Errorf("trace-cmd printed %q: %w", l, err)
			}
			lost += n
		}
	}
	rep, err := exec.Command("trace-cmd", "report", "-i", traceFile(s)).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("trace-cmd report: %w", err)
	}
	_, name, _ := strings.Cut(s.ProbePoint, ":")
	for _, l := range strings.Split(string(rep), "\n") {
		if strings.Contains(l, " "+name+":") {
			seen++
		}
	}
	return seen, lost, nil
}

// undo removes the instance trace-cmd created, if it is still there
// (trace-cmd removes it when it ends normally).
func undo(s frontend.Session) error {
	err := os.Remove(instance(s))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// classify names the refusal of the function tracer switch, and a crash.
func classify(_ frontend.Session, err error) *backends.Unsupported {
	var ex *frontend.Exit
	if !errors.As(err, &ex) {
		return nil
	}
	if strings.Contains(ex.Output, "Can't enable ftrace") {
		return backends.Unsupportedf(backends.Permission, "trace-cmd record enables the function tracer (/proc/sys/kernel/ftrace_enabled), which this kernel refuses: %v", err)
	}
	if sig, ok := ex.Signaled(); ok {
		return backends.Unsupportedf(backends.Failed, "trace-cmd crashed (%v): %v", sig, err)
	}
	return nil
}
