// Package workloads produces the event set with exact, known counts. Each
// workload runs in a child process (the tracebench binary re-executed as an
// agent), pinned to one CPU, and reports the timing of each chunk of
// operations to the harness, which labels chunks as traced or not.
//
// The measured paths (the Do methods) make raw system calls only: the Go
// runtime makes some syscalls on its own (getpid and tgkill for async
// preemption, mmap, futex), so each event uses a syscall the runtime never
// makes, and the agent moves into its cgroup only after the runtime has
// started, so that nothing but the loops below is counted.
package workloads

import (
	"fmt"
	"strings"

	"github.com/tracebench/tracebench/event"
)

// Load names what a workload does per operation: one of the events, or
// Untraced, a null syscall no backend observes (for collateral cost).
type Load string

// Untraced is getuid(2): a null syscall that no event maps to, timed while
// a backend traces something else, to measure what a hook taxes every
// syscall (a raw sys_enter hook, audit's syscall entry path).
const Untraced Load = "getuid"

// ForEvent returns the load that produces ev.
func ForEvent(ev event.Event) Load { return Load(ev.String()) }

// ParseLoad checks a load name.
func ParseLoad(s string) (Load, error) {
	if s == string(Untraced) {
		return Untraced, nil
	}
	if _, err := event.Parse(s); err != nil {
		return "", fmt.Errorf("unknown workload %q (known: %s, %s)", s, strings.Join(event.Names(), ", "), Untraced)
	}
	return Load(s), nil
}

// producer performs one kind of operation. Do is the measured path.
type producer interface {
	// Do performs n operations and returns how many succeeded in
	// producing the event (all of them, unless an error is returned).
	Do(n int) (int, error)
	Close() error
}

func newProducer(l Load, dir string) (producer, error) {
	switch l {
	case Untraced:
		return getuidLoop{}, nil
	case ForEvent(event.Getppid):
		return getppidLoop{}, nil
	case ForEvent(event.Openat):
		return newOpenatLoop()
	case ForEvent(event.Exec):
		return newExecLoop(dir)
	case ForEvent(event.Connect):
		return newConnectLoop()
	}
	return nil, fmt.Errorf("no producer for workload %q", l)
}
