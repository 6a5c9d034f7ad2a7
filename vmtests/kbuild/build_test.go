package kbuild_test

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/internal/btfgen"
	"github.com/tracebench/tracebench/internal/debian"
	"github.com/tracebench/tracebench/vmtests"
	"github.com/tracebench/tracebench/vmtests/kbuild"
)

// builder builds into the default cache (the CI cache between runs), so
// that the first test to need the nobtf kernel builds it once.
func builder(t *testing.T) *kbuild.Builder {
	t.Helper()
	c, err := vmtests.OpenCache("")
	if err != nil {
		t.Fatal(err)
	}
	return c.Builder()
}

// TestBadInput: each bad input fails in Resolve, before anything is
// downloaded or compiled, with an error naming it.
func TestBadInput(t *testing.T) {
	b := builder(t)
	b.Dir = t.TempDir() // nothing may be written here
	bad := kbuild.NoBTF()
	bad.Fragment = append(append([]byte{}, bad.Fragment...), "# CONFIG_BPF_EVENTS is not set\n"...)
	noSource := kbuild.NoBTF()
	noSource.Package = "linux-source-0.1"
	for _, c := range []struct {
		name string
		spec kbuild.Spec
		cc   string
		is   error
		want string
	}{
		{"fragment disables a required option", bad, "", kbuild.ErrBadConfig, "CONFIG_BPF_EVENTS=unset (need y)"},
		{"compiler not installed", kbuild.NoBTF(), "gcc-99", kbuild.ErrUnknownCompiler, `"gcc-99": not installed`},
		{"not a compiler", kbuild.NoBTF(), "true", kbuild.ErrUnknownCompiler, "want gcc or clang"},
		{"missing source package", noSource, "", debian.ErrNoPackage, "linux-source-0.1"},
	} {
		b.CC = c.cc
		_, err := b.Build(t.Context(), c.spec)
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %v naming %q", c.name, err, c.is, c.want)
		}
	}
	if entries, _ := os.ReadDir(b.Dir); len(entries) != 0 {
		t.Errorf("bad input left %d entries in the build cache", len(entries))
	}
}

// TestBuildNoBTF builds the nobtf kernel through the cache (once on a
// fresh machine: about 12 minutes on 2 cores), then checks what the cache
// keeps, that building again is a cache hit, and that another fragment is
// a miss.
func TestBuildNoBTF(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a kernel on a fresh machine; skipped with -short")
	}
	b := builder(t)
	spec := kbuild.NoBTF()
	r, err := b.Build(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("nobtf %s: built=%v (build took %.0fs), %s", r.Release, r.Built, r.BuildSeconds, r.Dir)
	if !strings.HasPrefix(r.Release, "6.1.") || r.Version == "" || r.Pahole == "" || !strings.Contains(r.CC, "gcc") {
		t.Errorf("build %+v", r)
	}
	config, err := os.ReadFile(r.Config)
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.CheckConfig(config); err != nil {
		t.Error(err)
	}
	img, err := os.ReadFile(r.Image)
	if err != nil || len(img) < 0x206 || string(img[0x202:0x206]) != "HdrS" {
		t.Errorf("image %s: not a bzImage (%v)", r.Image, err)
	}
	f, err := elf.Open(r.VMLinux)
	if err != nil {
		t.Fatal(err)
	}
	if f.Section(".debug_info") != nil || f.Section(".BTF") != nil || f.Section(".text") == nil {
		t.Errorf("vmlinux %s: want text, no DWARF (strip -g), no BTF", r.VMLinux)
	}
	f.Close()
	info, err := btfgen.Inspect(r.BTF)
	if err != nil {
		t.Fatal(err)
	}
	// The generated BTF describes this kernel: task_struct is there.
	full, err := os.ReadFile(r.BTF)
	if err != nil || info.Types < 1000 || !bytes.Contains(full, []byte("task_struct\x00")) {
		t.Errorf("generated BTF %+v lacks the kernel's types (%v)", info, err)
	}
	t.Logf("generated BTF: %d bytes, %d types", info.Size, info.Types)

	again, err := b.Build(context.Background(), spec)
	if err != nil || again.Built || again.Dir != r.Dir || again.Key != r.Key {
		t.Errorf("second build: %+v, %v; want the cached %s", again, err, r.Dir)
	}
	changed := spec
	changed.Fragment = append(append([]byte{}, spec.Fragment...), "CONFIG_NUMA=y\n"...)
	in, err := b.Resolve(t.Context(), changed)
	if err != nil {
		t.Fatal(err)
	}
	if _, hit := b.Cached(in); hit || in.Key() == r.Key {
		t.Errorf("a changed fragment hit the cache (key %s)", in.Key())
	}
}
