package toolchain

import (
	"context"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compiler finds one installed clang of the default versions, or skips.
func compiler(t *testing.T) Compiler {
	t.Helper()
	for _, v := range DefaultVersions {
		cs, err := Find(context.Background(), []string{v})
		if err == nil {
			return cs[0]
		}
	}
	t.Skip("needs one of clang-13 … clang-16 (Debian: apt-get install clang-14)")
	return Compiler{}
}

const source = `#include "defs.h"
__attribute__((section("tracepoint/syscalls/sys_enter_getppid"), used))
int prog(void *ctx) { return VALUE; }
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
`

func writeSource(t *testing.T, dir, value string) string {
	t.Helper()
	src := filepath.Join(dir, "prog.c")
	if err := os.WriteFile(src, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "defs.h"), []byte("#define VALUE "+value+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

// TestBuildCachesByContent: the same source, compiler and flags give the
// cached object; a changed included header gives a new build; the object
// is an eBPF ELF for the target's byte order, stripped of DWARF but not
// of BTF, as bpf2go's are.
func TestBuildCachesByContent(t *testing.T) {
	cc := compiler(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := writeSource(t, dir, "0")
	c := Cache{Dir: filepath.Join(dir, "cache")}
	cfg := Config{Compiler: cc, Opt: "-O2", Arch: "arm64", CFlags: []string{"-g", "-Wall"}}

	first, err := c.Build(ctx, cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached {
		t.Error("first build reported as cached")
	}
	again, err := c.Build(ctx, cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached || again.Path != first.Path {
		t.Errorf("second build: %+v, want the cached %s", again, first.Path)
	}
	writeSource(t, dir, "1") // only the header changes
	changed, err := c.Build(ctx, cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	if changed.Cached || changed.Key == first.Key {
		t.Errorf("a changed header did not change the key: %+v", changed)
	}
	O1 := cfg
	O1.Opt = "-O1"
	other, err := c.Build(ctx, O1, src)
	if err != nil {
		t.Fatal(err)
	}
	if other.Key == changed.Key {
		t.Error("-O1 and -O2 share a key")
	}
	if got, want := cfg.ID(), cc.Name+"/O2/arm64"; got != want {
		t.Errorf("ID %q, want %q", got, want)
	}

	f, err := elf.Open(changed.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_BPF || f.Data != elf.ELFDATA2LSB {
		t.Errorf("object is %v %v, want EM_BPF little-endian", f.Machine, f.Data)
	}
	if f.Section(".BTF") == nil {
		t.Error("no .BTF section")
	}
	if s := f.Section(".debug_info"); s != nil {
		t.Error("DWARF left in the object (llvm-strip -g)")
	}
}

// TestBuildErrors: a source the compiler refuses, an -O flag among the
// cflags, an unknown architecture and a missing compiler are classified
// errors that say what went wrong.
func TestBuildErrors(t *testing.T) {
	cc := compiler(t)
	ctx := context.Background()
	dir := t.TempDir()
	c := Cache{Dir: filepath.Join(dir, "cache")}
	bad := filepath.Join(dir, "bad.c")
	if err := os.WriteFile(bad, []byte("int prog(void *ctx) { return undeclared; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := c.Build(ctx, Config{Compiler: cc, Opt: "-O2", Arch: "amd64"}, bad)
	var be *BuildError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "undeclared") || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad source: %v", err)
	}
	src := writeSource(t, dir, "0")
	for _, cfg := range []Config{
		{Compiler: cc, Opt: "-O2", Arch: "amd64", CFlags: []string{"-O3"}},
		{Compiler: cc, Opt: "-O2", Arch: "riscv64"},
		{Compiler: cc, Opt: "2", Arch: "amd64"},
	} {
		if _, err := c.Build(ctx, cfg, src); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%+v: %v, want ErrBadConfig", cfg, err)
		}
	}
	if _, err := Find(ctx, []string{"9"}); !errors.Is(err, ErrNoCompiler) || !strings.Contains(err.Error(), "apt-get install clang-9") {
		t.Errorf("missing compiler: %v", err)
	}
}

// TestBuildAll builds a matrix and keeps a failed build as a result.
func TestBuildAll(t *testing.T) {
	cc := compiler(t)
	dir := t.TempDir()
	src := writeSource(t, dir, "0")
	bad := filepath.Join(dir, "bad.c")
	if err := os.WriteFile(bad, []byte("syntax error\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	configs := Configs([]Compiler{cc}, []string{"-O1", "-O2"}, Arches, nil)
	if len(configs) != 4 {
		t.Fatalf("%d configurations, want 4", len(configs))
	}
	rs := Cache{Dir: filepath.Join(dir, "cache")}.BuildAll(context.Background(), configs, []string{src, bad}, 2)
	if len(rs) != 8 {
		t.Fatalf("%d results, want 8", len(rs))
	}
	for i, r := range rs {
		if wantErr := i%2 == 1; (r.Err != nil) != wantErr || r.Source != []string{src, bad}[i%2] || r.Config.ID() != configs[i/2].ID() {
			t.Errorf("result %d: %s %s err=%v", i, r.Config.ID(), r.Source, r.Err)
		}
	}
}

// TestBuildReproducible: the same source in two directories builds to the
// same bytes (no compiler ident, no absolute paths), so a cached object
// stands for any checkout.
func TestBuildReproducible(t *testing.T) {
	cc := compiler(t)
	var objs [][]byte
	for range 2 {
		dir := t.TempDir()
		src := writeSource(t, dir, "7")
		o, err := Cache{Dir: filepath.Join(dir, "cache")}.Build(context.Background(), Config{Compiler: cc, Opt: "-O2", Arch: "amd64", CFlags: []string{"-g"}}, src)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(o.Path)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, b)
	}
	if string(objs[0]) != string(objs[1]) {
		t.Error("two builds of the same source in two directories differ")
	}
}
