package bpftrace_test

import (
	"strings"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/bpftrace"
	"github.com/tracebench/tracebench/backends/frontend"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

// A script bpftrace cannot compile fails Attach with the class failed
// and bpftrace's own error; a tracepoint the kernel lacks is
// missing-symbol. Neither leaves a bpftrace running.
func TestToolFailures(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	syntax := bpftrace.Tool("test/bpftrace", "a script with a syntax error", "tracepoint", nil, nil)
	syntax.Command = func(frontend.Session) ([]string, error) {
		return []string{"bpftrace", "-e", "BEGIN { @x = ; }"}, nil
	}
	missing := bpftrace.Tool("test/bpftrace", "a tracepoint that does not exist", "tracepoint", nil,
		func(event.Event) (string, error) { return "syscalls:sys_enter_tracebench_none", nil })
	for _, c := range []struct {
		name   string
		tool   frontend.Tool
		class  backends.Class
		detail string
	}{
		{"syntax", syntax, backends.Failed, "syntax error"},
		{"missing", missing, backends.MissingSymbol, "sys_enter_tracebench_none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tag := "tbtest" + c.name
			sup, err := frontend.New(c.tool).Probe(t.Context(), backends.ProbeRequest{Events: []event.Event{event.Getppid}, Modes: []backends.Mode{backends.Count}, Tag: tag})
			if err != nil {
				t.Fatal(err)
			}
			if len(sup) != 1 || sup[0].Reason == nil {
				t.Fatalf("probe %+v: want unsupported", sup)
			}
			if r := sup[0].Reason; r.Class != c.class || !strings.Contains(r.Detail, c.detail) {
				t.Errorf("reason %v: want class %s with %q", r, c.class, c.detail)
			}
			if left := frontend.Remaining(tag + "_getppid"); len(left) > 0 {
				t.Errorf("processes left running: %v", left)
			}
		})
	}
}
