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

// groupConfig names the option without which a whole event group is
// missing.
var groupConfig = map[string]string{"syscalls": "CONFIG_FTRACE_SYSCALLS"}

// New returns the backend.
func New() backends.Backend {
	cands := map[event.Event][]string{}
	for ev, p := range backends.Tracepoints {
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
	tp, ok := backends.Tracepoints[ev]
	p := tracefs.Event{Group: tp.Group, Name: tp.Name}
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
