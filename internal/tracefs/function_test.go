package tracefs

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// On this host the kernel refuses the function tracer's files to root with
// EPERM (lockdown is "integrity", which does not cover tracefs: a
// restricted build): every entry point reports ClassPermission. Where it is
// allowed, the tracer counts the getppid syscall function's calls exactly.
func TestFunctionTracer(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	funcs, err := fs.FilterFunctions([]string{"tracebench_no_such_function", syscallSymbol})
	if errors.Is(err, ClassPermission) {
		for file, err := range map[string]error{
			"available_filter_functions": err,
			"current_tracer":             in.SetTracer("function"),
			"set_ftrace_filter":          in.SetFtraceFilter(syscallSymbol),
			"set_ftrace_pid":             in.SetFtracePIDs(true, 1),
		} {
			var e *Error
			if !errors.As(err, &e) || e.Class != ClassPermission || !errors.Is(err, unix.EPERM) || !strings.HasSuffix(e.Path, file) || e.Detail != refusedHint {
				t.Errorf("%s: %v, want %s (EPERM)", file, err, ClassPermission)
			}
		}
		if b, err := readFile(in.path("current_tracer")); strings.TrimSpace(string(b)) != "nop" || err != nil {
			t.Errorf("current_tracer = %q, %v; want nop", b, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(funcs, []string{syscallSymbol}) {
		t.Fatalf("traceable: %v, want [%s]", funcs, syscallSymbol)
	}
	if err := in.SetFtraceFilter("tracebench_no_such_function"); !errors.Is(err, ClassMissingSymbol) {
		t.Errorf("filter on an unknown function: %v, want %s", err, ClassMissingSymbol)
	}
	id := eventID(t, fs, FunctionEvent)
	const n = 1000
	work := startHelper(t, fmt.Sprintf("getppid %d", n))
	noise := startHelper(t, fmt.Sprintf("getppid %d", n))
	if err := in.SetFtraceFilter(syscallSymbol); err != nil {
		t.Fatal(err)
	}
	if err := in.SetFtracePIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.SetTracer("function"); err != nil {
		t.Fatal(err)
	}
	noise.release()
	work.run()
	noise.wait()
	if err := in.SetTracer("nop"); err != nil {
		t.Fatal(err)
	}
	if counts, _, _ := drain(t, in); !maps.Equal(counts, Counter{id: n}) {
		t.Errorf("records %v, want %d of id %d", counts, n, id)
	}
}
