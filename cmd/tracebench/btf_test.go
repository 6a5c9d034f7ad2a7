package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/internal/btfgen"
)

// TestBTFCommands: btf min on the running kernel's BTF for tracebench's
// objects reports both sizes; bad input gets an error naming it.
func TestBTFCommands(t *testing.T) {
	const kernelBTF = "/sys/kernel/btf/vmlinux"
	if _, err := os.Stat(kernelBTF); err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "min.btf")
	got, status := run(t, "btf", "min", "--btf", kernelBTF, "-o", out, "--json")
	if status != 0 {
		t.Fatal(got)
	}
	var sizes map[string]btfgen.Info
	if err := json.Unmarshal([]byte(got), &sizes); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if sizes["minimized"].Size != st.Size() || sizes["full"].Path != kernelBTF || sizes["full"].Size <= 100*st.Size() {
		t.Errorf("sizes %+v, written %d bytes", sizes, st.Size())
	}
	truncated := filepath.Join(dir, "truncated")
	b, _ := os.ReadFile(out)
	os.WriteFile(truncated, b[:len(b)/2], 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"btf", "gen", out, "-o", filepath.Join(dir, "x")}, out + " is not a readable ELF kernel"},
		{[]string{"btf", "gen", filepath.Join(dir, "none"), "-o", filepath.Join(dir, "x")}, "no such file"},
		{[]string{"btf", "gen", out}, "--out is required"},
		{[]string{"btf", "min", "--btf", truncated, "-o", filepath.Join(dir, "x")}, truncated + " is not a BTF file"},
		{[]string{"btf", "min", "--btf", kernelBTF, "--arch", "riscv64", "-o", filepath.Join(dir, "x")}, `no eBPF objects for architecture "riscv64"`},
		{[]string{"run", "--btf", truncated}, "--btf: bad input: " + truncated},
	} {
		got, status := run(t, c.args...)
		if status == 0 || !strings.Contains(got, c.want) {
			t.Errorf("%s: status %d, %s; want an error with %q", strings.Join(c.args, " "), status, got, c.want)
		}
	}
}
