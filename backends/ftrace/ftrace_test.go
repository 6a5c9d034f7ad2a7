// Coverage and support tests of the ftrace backends on the running kernel
// (the host, or a guest of the kernel matrix): every supported (event,
// mode) pair must see exactly what the workload produced and nothing of a
// concurrent noise process; an unsupported one must carry the class that
// the kernel's tracefs, read independently here, predicts.
package ftrace_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/backends/ftrace"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
	"github.com/tracebench/tracebench/internal/mounts"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/kstate"
)

var ops = map[event.Event]int{event.Getppid: 200000, event.Openat: 100000, event.Exec: 300, event.Connect: 3000}

var modes = []backends.Mode{backends.Count, backends.Stream}

var tracepoints = map[event.Event]string{
	event.Getppid: "syscalls:sys_enter_getppid", event.Openat: "syscalls:sys_enter_openat",
	event.Exec: "sched:sched_process_exec", event.Connect: "syscalls:sys_enter_connect",
}

func TestBackends(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	for _, name := range []string{"ftrace/event", "ftrace/function", "ftrace/kprobe"} {
		t.Run(name, func(t *testing.T) {
			want := expected(t, name)
			sup := probe(t, name)
			for _, s := range sup {
				if want != nil {
					if s.Reason == nil || s.Reason.Class != want.Class {
						t.Errorf("%s %s: %v, want unsupported with class %s (%s)", s.Event, s.Mode, s.Reason, want.Class, want.Detail)
					}
					continue
				}
				if s.Reason != nil {
					t.Errorf("%s %s: unsupported (%s: %s) on a kernel that has the feature", s.Event, s.Mode, s.Reason.Class, s.Reason.Detail)
					continue
				}
				checkProbePoint(t, name, s.Event, s.ProbePoint)
				t.Logf("%s %s: probe point %s", s.Mode, s.Event, s.ProbePoint)
				t.Run(string(s.Mode)+"/"+s.Event.String(), func(t *testing.T) {
					b, _ := builtin.New(name)
					r := backendtest.Exact(t, b, backendtest.Case{Event: s.Event, Mode: s.Mode, Ops: ops[s.Event], Noise: true})
					if r.Setup.ProbePoints[s.Event] != s.ProbePoint {
						t.Errorf("probe point %q at setup, %q at probe", r.Setup.ProbePoints[s.Event], s.ProbePoint)
					}
				})
			}
		})
	}
}

// probe asks backend name about every event and mode, with its plan
// journaled first and undone after, as the harness does.
func probe(t *testing.T, name string) []backends.Support {
	t.Helper()
	b, err := builtin.New(name)
	if err != nil {
		t.Fatal(err)
	}
	tag := "tbprobetest" + strconv.Itoa(os.Getpid())
	j, err := kstate.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := j.Close(); err != nil {
			t.Errorf("undo the plan: %v", err)
		}
	}()
	plan, err := b.Plan(t.Context(), backends.Setup{Events: event.All, Mode: backends.Count, Tag: tag})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range plan {
		if _, err := j.Record(ch); err != nil {
			t.Fatal(err)
		}
	}
	sup, err := b.Probe(t.Context(), backends.ProbeRequest{Events: event.All, Modes: modes, Tag: tag})
	if err != nil {
		t.Fatal(err)
	}
	if len(sup) != len(event.All)*len(modes) {
		t.Fatalf("%d answers, want %d", len(sup), len(event.All)*len(modes))
	}
	return sup
}

// expected reads tracefs, independently of the backends, and returns the
// reason backend name must give on this kernel, or nil if it must work.
func expected(t *testing.T, name string) *backends.Unsupported {
	t.Helper()
	root := tracefsRoot(t)
	var file, config string
	switch name {
	case "ftrace/event":
		file, config = "events/syscalls", "CONFIG_FTRACE_SYSCALLS"
	case "ftrace/kprobe":
		file, config = "kprobe_events", "CONFIG_KPROBE_EVENTS"
	case "ftrace/function":
		file, config = "available_filter_functions", "CONFIG_FUNCTION_TRACER"
	}
	f, err := os.Open(filepath.Join(root, file))
	switch {
	case errors.Is(err, unix.ENOENT):
		return backends.Unsupportedf(backends.MissingConfig, "no %s: kernel without %s", file, config)
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		return backends.Unsupportedf(backends.Permission, "%v", err)
	case err != nil:
		t.Fatal(err)
	}
	f.Close()
	return nil
}

// tracefsRoot returns the tracefs mount point, mounting tracefs for the
// test if the system has not.
func tracefsRoot(t *testing.T) string {
	t.Helper()
	if root, err := mounts.Find("tracefs"); err != nil || root != "" {
		if err != nil {
			t.Fatal(err)
		}
		return root
	}
	root, mounted, err := mounts.Ensure("tracefs", "/sys/kernel/tracing")
	if err != nil {
		t.Fatal(err)
	}
	if mounted {
		t.Cleanup(func() {
			if err := unix.Unmount(root, 0); err != nil {
				t.Errorf("unmount tracefs: %v", err)
			}
		})
	}
	return root
}

func checkProbePoint(t *testing.T, name string, ev event.Event, got string) {
	t.Helper()
	if name == "ftrace/event" {
		if got != tracepoints[ev] {
			t.Errorf("%s: probe point %q, want %q", ev, got, tracepoints[ev])
		}
		return
	}
	if !slices.Contains(ksym.Functions(ev), got) {
		t.Errorf("%s: probe point %q, want one of %v", ev, got, ksym.Functions(ev))
	}
}

// Counters add up across attachments, and what the workload does while
// detached is not counted. For the function tracer this crosses the
// buffer resets that each switch of the tracer makes.
func TestToggles(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	for _, name := range []string{"ftrace/event", "ftrace/function", "ftrace/kprobe"} {
		if expected(t, name) != nil {
			continue // TestBackends checks the reason
		}
		for _, mode := range modes {
			t.Run(name+"/"+string(mode), func(t *testing.T) {
				b, _ := builtin.New(name)
				backendtest.Exact(t, b, backendtest.Case{Event: event.Getppid, Mode: mode, Ops: 20000, Toggles: 3})
			})
		}
	}
}

// A buffer far smaller than what the workload writes overflows unless the
// stream reader keeps up: every event is either read or counted lost
// (overwritten). Count mode has no reader and keeps counting past the
// overflow: the buffer's counters count overwritten events too.
func TestTinyBuffer(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	const n = 200000
	opts := map[string]string{ftrace.OptBufferKB: "4"}
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			b, _ := builtin.New("ftrace/event")
			r := backendtest.Run(t, b, backendtest.Case{Event: event.Getppid, Mode: mode, Ops: n, Options: opts})
			if r.Produced != r.Want {
				t.Fatalf("workload produced %d of %d", r.Produced, r.Want)
			}
			kb, err := strconv.Atoi(r.Setup.Facts["buffer_kb"])
			if err != nil {
				t.Fatalf("buffer_kb fact %q: %v", r.Setup.Facts["buffer_kb"], err)
			}
			// A record takes 12 bytes at least (4 of header, 8 of
			// common fields): the buffers hold fewer than this.
			if capacity := runtime.NumCPU() * kb * 1024 / 12; r.Produced <= uint64(capacity) {
				t.Fatalf("%d events fit in %d KiB per CPU: no overflow to test", r.Produced, kb)
			}
			t.Logf("%d KiB per CPU: produced %d, seen %d, lost %d", kb, r.Produced, r.Counter.Seen, r.Counter.Lost)
			if r.Counter.Seen+r.Counter.Lost != r.Produced {
				t.Errorf("seen %d + lost %d = %d, want produced %d", r.Counter.Seen, r.Counter.Lost, r.Counter.Seen+r.Counter.Lost, r.Produced)
			}
			switch mode {
			case backends.Stream:
				// Whether the reader falls behind depends on the machine's
				// load; the accounting above is what must hold either way.
				if r.Counter.Lost == 0 {
					t.Logf("the reader kept up with %d KiB per CPU: no loss to account for", kb)
				}
			case backends.Count:
				if r.Counter.Lost != 0 {
					t.Errorf("count mode lost %d: overwritten events are counted", r.Counter.Lost)
				}
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	for _, v := range []string{"0", "x", "-1", fmt.Sprint(1<<20 + 1)} {
		b, _ := builtin.New("ftrace/event")
		_, err := b.Setup(t.Context(), backends.Setup{
			Events: []event.Event{event.Getppid}, Mode: backends.Count,
			Filter: backends.Filter{PID: os.Getpid()}, Options: map[string]string{ftrace.OptBufferKB: v},
		})
		if err == nil {
			t.Errorf("%s=%s accepted", ftrace.OptBufferKB, v)
		}
		if err := b.Teardown(t.Context()); err != nil {
			t.Error(err)
		}
	}
}
