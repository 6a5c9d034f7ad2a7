// Package event defines the event set that every backend observes and every
// workload produces. It is the one vocabulary shared by both sides: a backend
// maps each Event to its own probe point, a workload produces an exact count of
// each Event, and the harness compares the two.
package event

import (
	"fmt"
	"strings"
)

// Event is one observable kernel action, identical for every backend.
// Its numeric value is also the index used in eBPF maps and ring buffer
// records (see bpf/tracebench.h), so values must never be renumbered.
type Event uint8

const (
	// Getppid is the getppid(2) system call: a null syscall that the Go
	// runtime never makes, so its count in a workload is exact.
	Getppid Event = 1
	// Openat is openat(2) of a file that always exists (/dev/null).
	Openat Event = 2
	// Exec is a successful execve(2) of a minimal static program.
	Exec Event = 3
	// Connect is connect(2) of a TCP socket to a loopback listener.
	Connect Event = 4
)

// All lists every event, in a stable order used by tables and plans.
var All = []Event{Getppid, Openat, Exec, Connect}

var names = map[Event]string{
	Getppid: "getppid",
	Openat:  "openat",
	Exec:    "exec",
	Connect: "connect",
}

// String returns the event's name as used on the command line and in results.
func (e Event) String() string {
	if n, ok := names[e]; ok {
		return n
	}
	return fmt.Sprintf("event(%d)", uint8(e))
}

// Valid reports whether e is a known event.
func (e Event) Valid() bool {
	_, ok := names[e]
	return ok
}

// Parse returns the event named s.
func Parse(s string) (Event, error) {
	for e, n := range names {
		if n == s {
			return e, nil
		}
	}
	return 0, fmt.Errorf("unknown event %q (known: %s)", s, strings.Join(Names(), ", "))
}

// ParseList parses a comma-separated list of event names; "all" means All.
// Duplicates are removed and the order of All is kept.
func ParseList(s string) ([]Event, error) {
	if strings.TrimSpace(s) == "all" {
		return append([]Event(nil), All...), nil
	}
	want := map[Event]bool{}
	for _, f := range strings.Split(s, ",") {
		e, err := Parse(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		want[e] = true
	}
	var out []Event
	for _, e := range All {
		if want[e] {
			out = append(out, e)
		}
	}
	return out, nil
}

// Names returns the names of All, in order.
func Names() []string {
	out := make([]string, len(All))
	for i, e := range All {
		out[i] = e.String()
	}
	return out
}

// MarshalText writes the event's name, so results files stay readable.
func (e Event) MarshalText() ([]byte, error) {
	if !e.Valid() {
		return nil, fmt.Errorf("cannot marshal invalid event %d", uint8(e))
	}
	return []byte(e.String()), nil
}

// UnmarshalText reads an event's name.
func (e *Event) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}
