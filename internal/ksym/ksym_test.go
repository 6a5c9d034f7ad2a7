package ksym

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/tracebench/tracebench/event"
)

func TestText(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("kallsyms names need root")
	}
	got, err := FirstText([]string{"no_such_function_tb", "do_sys_openat2", "do_sys_open"})
	if err != nil || (got != "do_sys_openat2" && got != "do_sys_open") {
		t.Errorf("FirstText = %q, %v", got, err)
	}
	if _, err := FirstText([]string{"no_such_function_tb"}); !errors.Is(err, ErrNoCandidate) {
		t.Errorf("missing symbol: %v", err)
	}
}

func TestBTFFunc(t *testing.T) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	if got, err := FirstBTFFunc(spec, []string{"no_such_function_tb", "__sys_connect"}); err != nil || got != "__sys_connect" {
		t.Errorf("FirstBTFFunc = %q, %v", got, err)
	}
	if _, err := FirstBTFFunc(spec, []string{"no_such_function_tb"}); !errors.Is(err, ErrNoCandidate) {
		t.Errorf("missing function: %v", err)
	}
}

// TestTable reads this kernel's symbol table: the syscall entry wrapper of
// getppid must be found by name, its range must hold its own address and
// map back to it, and an address in the middle of it too.
func TestTable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("kallsyms addresses need root")
	}
	tab, err := ReadTable(KallsymsPath)
	if err != nil {
		t.Fatal(err)
	}
	name, err := FirstText(Functions(event.Getppid))
	if err != nil {
		t.Fatal(err)
	}
	lo, hi, ok := tab.Range(name)
	if !ok || lo == 0 || hi <= lo {
		t.Fatalf("Range(%s) = %#x, %#x, %v", name, lo, hi, ok)
	}
	for _, addr := range []uint64{lo, lo + (hi-lo)/2, hi - 1} {
		if s, ok := tab.Lookup(addr); !ok || s.Addr < lo || s.Addr >= hi {
			t.Errorf("Lookup(%#x) = %+v, %v; want a symbol in [%#x, %#x) of %s", addr, s, ok, lo, hi, name)
		}
	}
	if s, _ := tab.Lookup(lo); s.Addr != lo {
		t.Errorf("Lookup(%#x) = %+v", lo, s)
	}
	if _, ok := tab.Lookup(1); ok {
		t.Error("address 1 resolved")
	}
}

// TestTableHidden: a kallsyms whose addresses are all zero, as an
// unprivileged user reads it under kptr_restrict, is refused.
func TestTableHidden(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kallsyms")
	if err := os.WriteFile(p, []byte("0000000000000000 T _text\n0000000000000000 T do_sys_openat2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTable(p); !errors.Is(err, ErrHiddenAddresses) {
		t.Errorf("ReadTable of hidden addresses: %v", err)
	}
}
