// Package traceevent is the ftrace/event backend: the kernel's static
// tracepoints recorded by ftrace itself as trace events (events.rst),
// enabled in a private instance. Syscall tracepoints need
// CONFIG_FTRACE_SYSCALLS; instances need Linux 3.10+, the pid filter's
// fork following (options/event-fork) Linux 4.7+.
package traceevent

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ftrace"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/tracefs"
)

// Name is the backend's name.
const Name = "ftrace/event"

// points are the tracepoints of each event: those of ebpf/tracepoint, so
// the two frameworks are compared on the same probe points.
var points = map[event.Event]tracefs.Event{
	event.Getppid: {Group: "syscalls", Name: "sys_enter_getppid"},
	event.Openat:  {Group: "syscalls", Name: "sys_enter_openat"},
	event.Exec:    {Group: "sched", Name: "sched_process_exec"},
	event.Connect: {Group: "syscalls", Name: "sys_enter_connect"},
}

// groupConfig names the option without which a whole event group is
// missing.
var groupConfig = map[string]string{"syscalls": "CONFIG_FTRACE_SYSCALLS"}

// New returns the backend.
func New() backends.Backend {
	cands := map[event.Event][]string{}
	for ev, p := range points {
		cands[ev] = []string{p.String()}
	}
	return ftrace.New(ftrace.Spec{
		Name:       Name,
		Summary:    "static tracepoints as ftrace trace events in a private tracefs instance",
		Candidates: cands,
		Resolve:    resolve,
	})
}

func resolve(fs *tracefs.FS, ev event.Event, _ string) (ftrace.Hook, error) {
	p, ok := points[ev]
	if !ok {
		return ftrace.Hook{}, backends.Unsupportedf(backends.NotApplicable, "no tracepoint for %s", ev)
	}
	group := filepath.Join(fs.Root(), "events", p.Group)
	if _, err := os.Stat(group); errors.Is(err, os.ErrNotExist) && groupConfig[p.Group] != "" {
		return ftrace.Hook{}, backends.Unsupportedf(backends.MissingConfig, "no %s trace events (%s absent): kernel built without %s", p.Group, group, groupConfig[p.Group])
	}
	if _, err := fs.EventID(p); err != nil {
		return ftrace.Hook{}, err // missing-symbol: no such tracepoint
	}
	return ftrace.EventHook(p.String(), p), nil
}
