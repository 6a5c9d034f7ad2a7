// Package ftrace is what every ftrace backend shares: each observed event
// gets a private trace instance (instances/tracebench-<tag>_<event>) with
// its own ring buffer and a pid filter that follows the workload's forks;
// the kernel's own ring buffer counters (per_cpu/cpuN/stats) count in count
// mode, a trace_pipe_raw reader counts every record in stream mode. A
// backend package only says how one event is hooked: a trace event enabled
// in the instance (ftrace/event), a kprobe event defined in kprobe_events
// and enabled there (ftrace/kprobe), or the instance's function tracer
// limited to one function (ftrace/function).
//
// One instance per event, rather than one per cell, keeps count mode exact
// when a Setup names several events: the buffer counters cannot tell
// events apart, and the function tracer writes the same record type for
// every function it hooks.
package ftrace

import (
	"context"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/tracefs"
	"github.com/tracebench/tracebench/kstate"
)

// Hook is how one event is observed inside its instance.
type Hook struct {
	// ProbePoint is what the hook observes on this kernel: a tracepoint
	// ("syscalls:sys_enter_openat") or a kernel function symbol.
	ProbePoint string
	// Records is the trace event the hook writes into the instance's
	// buffer, one record per observed event.
	Records tracefs.Event
	// Probe, when not nil, is a probe event that Setup defines before
	// the instance exists and Teardown removes after it is gone.
	Probe *tracefs.Probe
	// Tracer says the hook is the instance's tracer (current_tracer).
	// The kernel resets the instance's buffer, counters included, each
	// time the tracer changes, and refuses to change it (EBUSY) while a
	// trace_pipe_raw reader is open (kernel/trace/trace.c,
	// tracing_set_tracer): Detach stops recording, drains and folds the
	// counters before it switches the tracer off.
	Tracer bool
	// Prepare, when not nil, sets the hook up in its new instance (the
	// function tracer's filter).
	Prepare func(in *tracefs.Instance) error
	// Filter restricts the hook to the given tasks and to the tasks they
	// fork from then on.
	Filter func(in *tracefs.Instance, pids ...int) error
	// Enable and Disable switch the hook on and off: what Attach and
	// Detach time.
	Enable, Disable func(in *tracefs.Instance) error
}

// EventHook is the hook of a trace event (a tracepoint or a probe event):
// enabled and disabled in the instance (events/<group>/<name>/enable),
// restricted with set_event_pid and options/event-fork (Linux 4.7+), which
// the kernel checks for tracepoints and, through
// trace_trigger_soft_disabled, for kprobe events.
func EventHook(point string, ev tracefs.Event) Hook {
	return Hook{
		ProbePoint: point,
		Records:    ev,
		Filter:     func(in *tracefs.Instance, pids ...int) error { return in.SetEventPIDs(true, pids...) },
		Enable:     func(in *tracefs.Instance) error { return in.EnableEvent(ev) },
		Disable:    func(in *tracefs.Instance) error { return in.DisableEvent(ev) },
	}
}

// Spec describes an ftrace backend.
type Spec struct {
	Name    string
	Summary string
	// Candidates lists, per event, the probe points the backend tries.
	Candidates map[event.Event][]string
	// Probes says that every event's hook defines a probe event named
	// like its instance (ProbeGroup/<tag>_<event>), so Plan lists it.
	Probes bool
	// Resolve returns the hook of ev on this kernel, or why there is
	// none (an *backends.Unsupported, or a classified tracefs error).
	// name is the name of the objects the hook may define (its probe).
	// It must not change kernel state: Setup defines the hook's probe.
	Resolve func(fs *tracefs.FS, ev event.Event, name string) (Hook, error)
}

// New returns a backends.Backend for spec.
func New(spec Spec) backends.Backend {
	return &Backend{spec: spec, plans: map[string][]kstate.Change{}}
}

// Backend implements backends.Backend for one ftrace hook kind.
type Backend struct {
	spec Spec
	// plans holds the last plan of each tag: what the harness journaled,
	// and so all that Setup may change.
	plans    map[string][]kstate.Change
	fs       *tracefs.FS
	mode     backends.Mode
	traces   []*trace
	attached bool
}

// trace is one event's observation: its hook, instance and counts.
type trace struct {
	ev   event.Event
	hook Hook
	in   *tracefs.Instance
	id   uint16 // common_type of hook.Records
	// defined says Setup defined hook.Probe.
	defined bool
	// folded holds what the counters showed before the kernel reset
	// them (a tracer switch).
	folded tally
	// stream mode: the reader while attached, and what every reader of
	// this trace counted.
	stream *stream
	seen   uint64
}

func (b *Backend) Describe(context.Context) (backends.Description, error) {
	d := backends.Description{Name: b.spec.Name, Summary: b.spec.Summary, Modes: []backends.Mode{backends.Count, backends.Stream}}
	for _, ev := range event.All {
		if c, ok := b.spec.Candidates[ev]; ok {
			d.Probes = append(d.Probes, backends.ProbeSpec{Event: ev, Candidates: c})
		}
	}
	return d, nil
}

func (b *Backend) Usage(context.Context) (backends.Usage, error) {
	return backends.SelfUsage()
}

// objectName names the instance and probe of ev in a Setup tagged tag:
// "<tag>_<event>", with whatever a probe event name cannot hold (letters,
// digits and '_' only) replaced by '_'. Without a tag (a Probe outside
// the harness) it is the process id, unique among processes.
func objectName(tag string, ev event.Event) string {
	if tag == "" {
		tag = "p" + strconv.Itoa(os.Getpid())
	}
	b := []byte(tag + "_" + ev.String())
	for i, c := range b {
		if !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			b[i] = '_'
		}
	}
	return string(b)
}

// instancePath and probeFile are where tracefs puts an instance and the
// kprobe definitions under the mount point root.
func instancePath(root, name string) string {
	return filepath.Join(root, "instances", tracefs.InstancePrefix+name)
}

func probeFile(root string) string { return filepath.Join(root, "kprobe_events") }
