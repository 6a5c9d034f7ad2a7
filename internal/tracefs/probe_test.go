package tracefs

import (
	"debug/elf"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// syscallSymbol is the getppid syscall's entry function on this arch.
var syscallSymbol = map[string]string{"amd64": "__x64_sys_getppid", "arm64": "__arm64_sys_getppid"}[runtime.GOARCH]

// countProbe defines p, enables it in a fresh instance pid-filtered to a
// helper that runs mode, and checks that exactly n records arrive. A noise
// helper doing the same is not counted.
func countProbe(t *testing.T, fs *FS, p Probe, mode string, n uint64) {
	t.Helper()
	if err := fs.AddProbe(p); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := fs.RemoveProbe(p); err != nil {
			t.Error(err)
		}
	}()
	file, _ := p.Kind.file()
	if !slices.Contains(announced, Change{Kind: ChangeProbe, Path: fs.path(file), Name: ProbeGroup + "/" + p.Name}) {
		t.Errorf("probe %s not announced", p.Name)
	}
	if !slices.ContainsFunc(leftovers(t, fs), func(l Leftover) bool { return l.Kind == LeftoverProbe && l.Name == ProbeGroup+"/"+p.Name }) {
		t.Errorf("Leftovers does not list probe %s", p.Name)
	}
	if err := fs.AddProbe(p); !errors.Is(err, ClassBusy) {
		t.Errorf("adding it again: %v, want %s", err, ClassBusy)
	}
	in := newInstance(t, fs)
	id := eventID(t, fs, p.Event())
	work := startHelper(t, mode)
	noise := startHelper(t, mode)
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.EnableEvent(p.Event()); err != nil {
		t.Fatal(err)
	}
	if err := fs.RemoveProbe(p); !errors.Is(err, ClassBusy) {
		t.Errorf("removing an enabled probe: %v, want %s", err, ClassBusy)
	}
	noise.release()
	work.run()
	noise.wait()
	if err := in.DisableEvent(p.Event()); err != nil {
		t.Fatal(err)
	}
	if st, err := in.Stats(); st.Entries != n || err != nil {
		t.Errorf("stats %+v, %v; want %d entries", st, err, n)
	}
	if counts, _, _ := drain(t, in); !maps.Equal(counts, Counter{id: n}) {
		t.Errorf("records %v, want %d of id %d", counts, n, id)
	}
	if err := in.Remove(); err != nil { // before the probe can be removed
		t.Fatal(err)
	}
}

func leftovers(t *testing.T, fs *FS) []Leftover {
	t.Helper()
	l, err := fs.Leftovers()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Kernels without CONFIG_KPROBE_EVENTS (this host: CONFIG_KPROBES is unset)
// have no kprobe_events: a missing-config error. Elsewhere, a kprobe on the
// getppid syscall counts exactly.
func TestKprobe(t *testing.T) {
	fs := needFS(t)
	p := Probe{Kind: KProbe, Name: tagged("getppid"), Target: syscallSymbol}
	if !exists(fs.path("kprobe_events")) {
		for op, err := range map[string]error{"add": fs.AddProbe(p), "remove": fs.RemoveProbe(p)} {
			var e *Error
			if !errors.As(err, &e) || e.Class != ClassMissingConfig || !errors.Is(err, unix.ENOENT) || e.Detail != "kernel built without CONFIG_KPROBE_EVENTS" {
				t.Errorf("%s: %v, want %s naming CONFIG_KPROBE_EVENTS", op, err, ClassMissingConfig)
			}
		}
		return
	}
	countProbe(t, fs, p, "getppid 1000", 1000)
	countProbe(t, fs, Probe{Kind: KRetProbe, Name: tagged("getppid_ret"), Target: syscallSymbol}, "getppid 1000", 1000)
	if err := fs.AddProbe(Probe{Kind: KProbe, Name: tagged("nosuch"), Target: "tracebench_no_such_function"}); !errors.Is(err, ClassMissingSymbol) {
		t.Errorf("unknown function: %v, want %s", err, ClassMissingSymbol)
	}
}

// uprobeTargetOffset is the file offset of uprobeTarget in the test binary.
// go test strips the symbol table, so the function's address comes from
// the running code; in a position-dependent executable (Go's default) that
// is its link address, which the program headers map to a file offset.
func uprobeTargetOffset(t *testing.T) uint64 {
	t.Helper()
	f, err := elf.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		t.Fatalf("test binary is %v, want a position-dependent executable", f.Type)
	}
	addr := uint64(reflect.ValueOf(uprobeTarget).Pointer())
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && addr >= p.Vaddr && addr < p.Vaddr+p.Filesz {
			return addr - p.Vaddr + p.Off
		}
	}
	t.Fatalf("uprobeTarget at %#x is in no executable segment", addr)
	return 0
}

// Uprobes share the probe event machinery with kprobes (define, enable per
// instance, count, remove), and this host has them.
func TestUprobe(t *testing.T) {
	fs := needFS(t)
	if !exists(fs.path("uprobe_events")) {
		t.Skip("kernel without CONFIG_UPROBE_EVENTS")
	}
	target := fmt.Sprintf("%s:%#x", os.Args[0], uprobeTargetOffset(t))
	countProbe(t, fs, Probe{Kind: UProbe, Name: tagged("target"), Target: target}, "uprobe 500", 500)

	var e *Error
	err := fs.AddProbe(Probe{Kind: UProbe, Name: tagged("nosuch"), Target: "/nonexistent:0x100"})
	if !errors.As(err, &e) || e.Class != ClassMissingSymbol || e.Detail == "" {
		t.Errorf("missing file: %v, want %s with the kernel's reason", err, ClassMissingSymbol)
	}
	if err := fs.AddProbe(Probe{Kind: UProbe, Name: "bad name", Target: target}); !errors.Is(err, ClassBadInput) {
		t.Errorf("bad name: %v, want %s", err, ClassBadInput)
	}
	if err := fs.RemoveProbe(Probe{Kind: UProbe, Name: "never_added"}); err != nil {
		t.Errorf("removing a probe that does not exist: %v", err)
	}
}
