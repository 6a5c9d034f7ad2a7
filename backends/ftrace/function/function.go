// Package function is the ftrace/function backend: the function tracer
// (ftrace.rst) of a private instance, limited to the one kernel function
// of each event (set_ftrace_filter) and to the workload's tasks
// (set_ftrace_pid with options/function-fork, Linux 4.20+). It reaches
// functions through the call sites compiled into every traceable function
// and patched live (CONFIG_FUNCTION_TRACER, CONFIG_DYNAMIC_FTRACE): static
// hooks, dynamically enabled. The function of each event is resolved per
// kernel and architecture (internal/ksym) among those the tracer can hook
// (available_filter_functions).
package function

import (
	"strings"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ftrace"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
	"github.com/tracebench/tracebench/internal/tracefs"
)

// Name is the backend's name.
const Name = "ftrace/function"

// New returns the backend.
func New() backends.Backend {
	return ftrace.New(ftrace.Spec{
		Name:       Name,
		Summary:    "the ftrace function tracer limited to one kernel function, in a private tracefs instance",
		Candidates: ksym.FunctionsByEvent(),
		Resolve:    resolve,
	})
}

// resolve picks the first candidate the function tracer can hook. On a
// kernel that refuses the function tracer to root, reading
// available_filter_functions already fails (permission).
func resolve(fs *tracefs.FS, ev event.Event, _ string) (ftrace.Hook, error) {
	cands := ksym.Functions(ev)
	funcs, err := fs.FilterFunctions(cands)
	if err != nil {
		return ftrace.Hook{}, err
	}
	if len(funcs) == 0 {
		return ftrace.Hook{}, backends.Unsupportedf(backends.MissingSymbol, "%s: none of %s in available_filter_functions", ev, strings.Join(cands, ", "))
	}
	sym := funcs[0]
	return ftrace.Hook{
		ProbePoint: sym,
		Records:    tracefs.FunctionEvent,
		Tracer:     true,
		Prepare:    func(in *tracefs.Instance) error { return in.SetFtraceFilter(sym) },
		Filter:     func(in *tracefs.Instance, pids ...int) error { return in.SetFtracePIDs(true, pids...) },
		Enable:     func(in *tracefs.Instance) error { return in.SetTracer("function") },
		Disable:    func(in *tracefs.Instance) error { return in.SetTracer("nop") },
	}, nil
}
