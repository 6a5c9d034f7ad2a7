package tracecmd_test

import (
	"errors"
	"os"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/frontend"
	"github.com/tracebench/tracebench/backends/ftrace/tracecmd"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

// Where the kernel refuses the function tracer switch (the development
// host: writing ftrace_enabled gives EPERM), trace-cmd record cannot
// start: permission, with no trace-cmd process and no instance left.
// Elsewhere it records exactly the workload's events.
func TestRecord(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	cur, err := os.ReadFile("/proc/sys/kernel/ftrace_enabled")
	if err != nil {
		t.Skipf("no function tracer switch: %v", err)
	}
	// Writing back the value found changes nothing, unless refused.
	if err := os.WriteFile("/proc/sys/kernel/ftrace_enabled", cur, 0); errors.Is(err, os.ErrPermission) {
		tag := "tbtesttc"
		sup, err := tracecmd.New().Probe(t.Context(), backends.ProbeRequest{Events: []event.Event{event.Getppid}, Modes: []backends.Mode{backends.Stream}, Tag: tag})
		if err != nil {
			t.Fatal(err)
		}
		if len(sup) != 1 || sup[0].Reason == nil || sup[0].Reason.Class != backends.Permission {
			t.Fatalf("probe %+v: want permission", sup)
		}
		if left := frontend.Remaining(tag + "_getppid"); len(left) > 0 {
			t.Errorf("trace-cmd processes left running: %v", left)
		}
		return // testutil.Clean checks that no instance is left
	}
	backendtest.Exact(t, tracecmd.New(), backendtest.Case{Event: event.Getppid, Mode: backends.Stream, Ops: 20000, Noise: true, Toggles: 1})
}
