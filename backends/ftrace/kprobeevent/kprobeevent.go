// Package kprobeevent is the ftrace/kprobe backend: dynamic probes on
// kernel functions defined through tracefs kprobe_events
// (kprobetrace.rst; CONFIG_KPROBE_EVENTS) in the tracebench group and
// recorded by ftrace as trace events in a private instance. The function
// of each event is resolved per kernel and architecture (internal/ksym),
// the same one the eBPF kprobe backends probe.
package kprobeevent

import (
	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ftrace"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
	"github.com/tracebench/tracebench/internal/tracefs"
)

// Name is the backend's name.
const Name = "ftrace/kprobe"

// New returns the backend.
func New() backends.Backend {
	return ftrace.New(ftrace.Spec{
		Name:       Name,
		Summary:    "kprobes on kernel functions as ftrace kprobe events (kprobe_events) in a private tracefs instance",
		Candidates: ksym.FunctionsByEvent(),
		Probes:     true,
		Resolve:    resolve,
	})
}

// resolve picks the first candidate function in /proc/kallsyms. Whether
// the kernel has kprobe events at all shows when Setup defines the probe
// (missing-config, naming CONFIG_KPROBE_EVENTS).
func resolve(_ *tracefs.FS, ev event.Event, name string) (ftrace.Hook, error) {
	sym, err := ksym.FirstText(ksym.Functions(ev))
	if err != nil {
		return ftrace.Hook{}, backends.Unsupportedf(backends.MissingSymbol, "%s: %v", ev, err)
	}
	p := tracefs.Probe{Kind: tracefs.KProbe, Name: name, Target: sym}
	h := ftrace.EventHook(sym, p.Event())
	h.Probe = &p
	return h, nil
}
