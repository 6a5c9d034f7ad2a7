package tracepoint_test

import (
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/ebpf/tracepoint"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

// ops per event: exec and connect are slow, the syscalls cheap.
var ops = map[event.Event]int{event.Getppid: 200000, event.Openat: 100000, event.Exec: 500, event.Connect: 5000}

func TestExactCoverage(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	for _, mode := range []backends.Mode{backends.Count, backends.Stream} {
		for _, ev := range event.All {
			t.Run(string(mode)+"/"+ev.String(), func(t *testing.T) {
				r := backendtest.Exact(t, tracepoint.New(), backendtest.Case{Event: ev, Mode: mode, Ops: ops[ev], Noise: true})
				if got, want := r.Setup.ProbePoints[ev], map[event.Event]string{
					event.Getppid: "syscalls:sys_enter_getppid", event.Openat: "syscalls:sys_enter_openat",
					event.Exec: "sched:sched_process_exec", event.Connect: "syscalls:sys_enter_connect",
				}[ev]; got != want {
					t.Errorf("probe point %q, want %q", got, want)
				}
			})
		}
	}
}

// A one-page ring buffer that the reader is seldom woken for must lose
// records, and every record must be either seen or counted as lost.
func TestTinyRingLoses(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	r := backendtest.Run(t, tracepoint.New(), backendtest.Case{
		Event: event.Getppid, Mode: backends.Stream, Ops: 200000,
		Options: map[string]string{"ringbuf_size": "4096", "wakeup_batch": "100000"},
	})
	if r.Counter.Lost == 0 {
		t.Errorf("no loss with a one-page ring: seen %d of %d", r.Counter.Seen, r.Produced)
	}
	if r.Counter.Seen+r.Counter.Lost != r.Produced {
		t.Errorf("seen %d + lost %d = %d, want produced %d", r.Counter.Seen, r.Counter.Lost, r.Counter.Seen+r.Counter.Lost, r.Produced)
	}
}

func TestBadOptions(t *testing.T) {
	testutil.RequireRoot(t)
	for _, opts := range []map[string]string{{"ringbuf_size": "5000"}, {"ringbuf_size": "x"}, {"wakeup_batch": "0"}} {
		b := tracepoint.New()
		_, err := b.Setup(t.Context(), backends.Setup{Events: []event.Event{event.Getppid}, Mode: backends.Stream, Options: opts})
		if err == nil {
			t.Errorf("options %v accepted", opts)
		}
		b.Teardown(t.Context())
	}
}
