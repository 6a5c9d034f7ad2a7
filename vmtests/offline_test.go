package vmtests

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// cacheWith makes a cache holding kernel builds (manifests and an image
// file each) of the target debian:6.1/arm64, by Debian version.
func cacheWith(t *testing.T, versions ...string) (*Cache, map[string]Kernel) {
	c := &Cache{Dir: t.TempDir()}
	out := map[string]Kernel{}
	for _, v := range versions {
		dir := filepath.Join(c.kernelsDir(), "linux-image-6.1.0-arm64-unsigned_"+v+"_arm64")
		os.MkdirAll(dir, 0o755)
		k := Kernel{Target: "debian:6.1/arm64", Release: "6.1.0-arm64", Package: "linux-image-6.1.0-arm64-unsigned", Version: v, Arch: "arm64", Image: filepath.Join(dir, "vmlinuz"), Dir: dir}
		os.WriteFile(k.Image, []byte("image"), 0o644)
		if err := k.save(); err != nil {
			t.Fatal(err)
		}
		out[v] = k
	}
	os.MkdirAll(filepath.Join(c.kernelsDir(), ".staging-123"), 0o755) // another fetch at work
	return c, out
}

// Offline, a Debian target is the newest cached build by Debian version
// order, found without apt (there is no apt directory in this cache).
func TestOfflineFetch(t *testing.T) {
	c, ks := cacheWith(t, "6.1.192-2", "6.1.192-10", "6.1.90-1")
	c.Offline = true
	target, err := DefaultMatrix().Lookup("debian:6.1/arm64")
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.Fetch(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if k.Version != "6.1.192-10" || k.Image != ks["6.1.192-10"].Image || k.Downloaded {
		t.Errorf("offline fetch gave %s (%s), want the newest cached build 6.1.192-10", k.Version, k.Image)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "apt")); err == nil {
		t.Error("an offline fetch used apt")
	}
	other, _ := DefaultMatrix().Lookup("debian:6.12/amd64")
	if _, err := c.Fetch(context.Background(), other); !errors.Is(err, ErrNotCached) {
		t.Errorf("offline fetch of an uncached target: %v, want ErrNotCached", err)
	}
}

// Prune keeps the given builds, their headers and another fetch's staging
// directory.
func TestPrune(t *testing.T) {
	c, ks := cacheWith(t, "6.1.192-2", "6.1.192-10")
	for _, k := range ks {
		os.MkdirAll(c.headersDir(k), 0o755)
	}
	removed, err := c.Prune([]Kernel{ks["6.1.192-10"]})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{ks["6.1.192-2"].Dir, c.headersDir(ks["6.1.192-2"])}; !slices.Equal(removed, want) {
		t.Errorf("pruned %v, want only the old build and its headers %v", removed, want)
	}
	if _, err := os.Stat(c.headersDir(ks["6.1.192-10"])); err != nil {
		t.Errorf("the kept build's headers: %v", err)
	}
	left, _ := os.ReadDir(c.kernelsDir())
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if want := []string{".staging-123", filepath.Base(ks["6.1.192-10"].Dir)}; !slices.Equal(names, want) {
		t.Errorf("left %v, want %v", names, want)
	}
}
