package kmod

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestName(t *testing.T) {
	for file, want := range map[string]string{
		"kernel/drivers/virtio/virtio_pci.ko":             "virtio_pci",
		"kernel/drivers/char/hw_random/virtio-rng.ko":     "virtio_rng",
		"/usr/lib/modules/6.12/kernel/x/virtio-gpu.ko.xz": "virtio_gpu",
	} {
		if got := Name(file); got != want {
			t.Errorf("Name(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestReadInfoRejects(t *testing.T) {
	if _, err := ReadInfo([]byte("not ELF")); !errors.Is(err, ErrNotModule) {
		t.Errorf("non-ELF: got %v", err)
	}
	exe, _ := os.Executable()
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadInfo(b); !errors.Is(err, ErrNotModule) {
		t.Errorf("ELF without .modinfo: got %v", err)
	}
}

// TestClosureBuiltinAndMissing: built-in roots need no file; anything else
// missing is an error naming it. (Real dependency order is tested on
// Debian's module trees in package vmtests.)
func TestClosureBuiltinAndMissing(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "kernel"), 0o755)
	os.WriteFile(filepath.Join(dir, "modules.builtin"), []byte("kernel/drivers/virtio/virtio_pci.ko\nkernel/drivers/char/virtio_console.ko\n"), 0o644)
	tree, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tree.Closure("virtio_pci", "virtio_console")
	if err != nil || len(got) != 0 {
		t.Errorf("built-in roots: %q, %v", got, err)
	}
	if !tree.Builtin("virtio_console") || tree.Path("virtio_console") != "" {
		t.Error("virtio_console not seen as built in")
	}
	if _, err := tree.Closure("virtio_net"); !errors.Is(err, ErrMissing) {
		t.Errorf("missing module: got %v, want ErrMissing", err)
	}
	if _, err := OpenTree(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("tree without kernel/: got %v", err)
	}
}
