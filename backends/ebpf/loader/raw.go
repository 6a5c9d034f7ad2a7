package loader

import (
	"io"

	"github.com/cilium/ebpf"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
)

// Raw describes a raw tracepoint backend (ebpf/rawtp, ebpf/tp_btf): a
// program on the generic syscall entry hook for the syscall events, one on
// sched_process_exec for exec.
type Raw struct {
	Name, Summary  string
	Load           func() (*ebpf.CollectionSpec, error)
	SysEnter, Exec string // program names
	// Attach makes the attach function for a raw tracepoint name.
	Attach func(tp string) func(*ebpf.Program) (io.Closer, error)
}

// NewRaw returns the backend r describes.
func NewRaw(r Raw) backends.Backend {
	return New(Spec{
		Name:       r.Name,
		Summary:    r.Summary,
		Load:       r.Load,
		Candidates: rawCandidates(),
		Resolve:    func(ev event.Event, _ backends.Setup) (Hook, error) { return rawHook(ev, r) },
	})
}

func rawCandidates() map[event.Event][]string {
	return map[event.Event][]string{
		event.Getppid: {"sys_enter (id getppid)"},
		event.Openat:  {"sys_enter (id openat)"},
		event.Exec:    {"sched_process_exec"},
		event.Connect: {"sys_enter (id connect)"},
	}
}

func rawHook(ev event.Event, r Raw) (Hook, error) {
	switch ev {
	case event.Getppid, event.Openat, event.Connect:
		return Hook{Event: ev, Program: r.SysEnter, ProbePoint: "sys_enter", Attach: r.Attach("sys_enter")}, nil
	case event.Exec:
		return Hook{Event: ev, Program: r.Exec, ProbePoint: "sched_process_exec", Attach: r.Attach("sched_process_exec")}, nil
	}
	return Hook{}, backends.Unsupportedf(backends.NotApplicable, "no raw tracepoint for %s", ev)
}
