package ebpf_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/backendtest"
	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/btfgen"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/vmtests"
	"github.com/tracebench/tracebench/vmtests/kbuild"
)

// coreOnHost are the CO-RE backends that run on the host (no kprobes here).
var coreOnHost = []string{"ebpf/tracepoint", "ebpf/rawtp"}

// TestExternalBTF loads the CO-RE backends with external BTF instead of
// the kernel's own: its own BTF cut to tracebench's objects gives the same
// exact coverage, and the tgid and parent read through CO-RE are right in
// every stream record.
func TestExternalBTF(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	dir := t.TempDir()
	own := filepath.Join(dir, "own.btf")
	if _, _, err := btfgen.MinimizeForTracebench(t.Context(), loader.KernelBTF, runtime.GOARCH, own); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(own)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range coreOnHost {
		for _, ev := range []event.Event{event.Getppid, event.Exec} {
			t.Run(name+"/"+ev.String(), func(t *testing.T) {
				b, err := builtin.New(name)
				if err != nil {
					t.Fatal(err)
				}
				r := backendtest.Exact(t, b, backendtest.Case{Event: ev, Mode: backends.Stream, Ops: ops[ev] / 10,
					Options: map[string]string{loader.OptBTF: own}})
				if r.Counter.Invalid != 0 {
					t.Errorf("%d of %d records read wrong values through CO-RE with the kernel's own (minimized) BTF", r.Counter.Invalid, r.Counter.Seen)
				}
				if f := r.Setup.Facts; f["btf_source"] != loader.BTFExternal || f["btf_size"] != strconv.FormatInt(st.Size(), 10) || f["btf_file"] != own {
					t.Errorf("facts %v, want external BTF %s of %d bytes", f, own, st.Size())
				}
			})
		}
	}
}

// TestExternalBTFOtherKernel is the negative control: with the BTF of
// another kernel (the nobtf build's, generated from its DWARF; built
// through the cache if missing) task_struct's fields sit elsewhere, and
// every stream record must be caught as invalid.
func TestExternalBTFOtherKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the nobtf kernel's BTF: a kernel build on a fresh machine")
	}
	testutil.RequireRoot(t)
	testutil.Clean(t)
	c, err := vmtests.OpenCache("")
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.Builder().Build(t.Context(), kbuild.NoBTF())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range coreOnHost {
		t.Run(name, func(t *testing.T) { // each run its own cgroup
			b, err := builtin.New(name)
			if err != nil {
				t.Fatal(err)
			}
			r := backendtest.Run(t, b, backendtest.Case{Event: event.Getppid, Mode: backends.Stream, Ops: 1000,
				Options: map[string]string{loader.OptBTF: other.BTF}})
			t.Logf("%s with the BTF of Linux %s: seen %d, invalid %d", name, other.Release, r.Counter.Seen, r.Counter.Invalid)
			if r.Counter.Seen == 0 || r.Counter.Invalid != r.Counter.Seen {
				t.Errorf("%s with another kernel's BTF: %d of %d records invalid, want all: wrong CO-RE offsets went unnoticed", name, r.Counter.Invalid, r.Counter.Seen)
			}
		})
	}
}
