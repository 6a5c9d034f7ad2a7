package vmtests

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tracebench/tracebench/internal/debian"
)

// Cache holds fetched kernels, one directory per kernel build, and the
// private apt configuration that fetches Debian's.
type Cache struct {
	Dir string
	// Offline makes Fetch take the newest build of a Debian target already
	// in the cache, without apt or network: every shard of a plan, given
	// one cache, then boots the same kernel builds even if Debian
	// publishes a new one meanwhile.
	Offline bool
}

// DefaultCacheDir is $TRACEBENCH_CACHE, or tracebench under
// $XDG_CACHE_HOME, or ~/.cache/tracebench.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("TRACEBENCH_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("kernel cache: %w (set TRACEBENCH_CACHE)", err)
	}
	return filepath.Join(d, "tracebench"), nil
}

// OpenCache returns the cache at dir, or at DefaultCacheDir if dir is "".
func OpenCache(dir string) (*Cache, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	return &Cache{Dir: dir}, nil
}

// Repo returns the cache's private apt configuration.
func (c *Cache) Repo() *debian.Repo { return &debian.Repo{Dir: filepath.Join(c.Dir, "apt")} }

func (c *Cache) kernelsDir() string { return filepath.Join(c.Dir, "kernels") }

// Fetch makes t's kernel available in the cache: a kernel build already
// there costs no download (Kernel.Downloaded is false).
func (c *Cache) Fetch(ctx context.Context, t Target) (Kernel, error) {
	if t.Host() {
		return Kernel{}, fmt.Errorf("target %s: %w", t.Name, ErrHostTarget)
	}
	k, err := t.Source.Fetch(ctx, c, t)
	if err != nil {
		return Kernel{}, fmt.Errorf("target %s: %w", t.Name, err)
	}
	if t.BTF != "" {
		if _, err := os.Stat(t.BTF); err != nil {
			return Kernel{}, fmt.Errorf("target %s: btf: %w", t.Name, err)
		}
		k.BTF = t.BTF
	}
	return k, nil
}

// Fetch fetches t into the default cache.
func Fetch(ctx context.Context, t Target) (Kernel, error) {
	c, err := OpenCache("")
	if err != nil {
		return Kernel{}, err
	}
	return c.Fetch(ctx, t)
}

// ErrHostTarget is returned (wrapped) when a guest operation is asked of the
// host target.
var ErrHostTarget = errors.New("the host target runs on the running kernel and is not fetched or booted")

// Cached lists the kernel builds in the cache fetched for target name.
func (c *Cache) Cached(name string) ([]Kernel, error) {
	dirs, err := os.ReadDir(c.kernelsDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Kernel
	for _, d := range dirs {
		k, err := loadKernel(filepath.Join(c.kernelsDir(), d.Name()))
		if err == nil && k.Target == name {
			out = append(out, k)
		}
	}
	return out, nil
}

// install moves a kernel assembled in staging to its final directory dir,
// writing the manifest last so a half-written kernel is never used. If
// another fetch installed it meanwhile, that copy wins; a copy of an older
// cache layout is replaced.
func install(k Kernel, staging, dir string) (Kernel, error) {
	k.Dir = staging
	if err := k.save(); err != nil {
		return Kernel{}, err
	}
	err := os.Rename(staging, dir)
	if err == nil {
		return loadKernel(dir)
	}
	existing, lerr := loadKernel(dir)
	if lerr != nil {
		return Kernel{}, fmt.Errorf("install kernel: %w", err)
	}
	if existing.Layout >= k.Layout {
		os.RemoveAll(staging)
		return existing, nil
	}
	// Aside under a dot name (which Prune leaves to whoever made it), then
	// gone: a guest booting from the old copy keeps its open files.
	old, err := os.MkdirTemp(filepath.Dir(dir), ".old-")
	if err != nil {
		return Kernel{}, err
	}
	defer os.RemoveAll(old)
	if err := os.Rename(dir, filepath.Join(old, "kernel")); err != nil {
		return Kernel{}, fmt.Errorf("install kernel: replace %s: %w", dir, err)
	}
	if err := os.Rename(staging, dir); err != nil {
		return Kernel{}, fmt.Errorf("install kernel: %w", err)
	}
	return loadKernel(dir)
}

// ErrNotCached is returned (wrapped) by an offline Fetch for a target with
// no build in the cache.
var ErrNotCached = errors.New("no kernel build in the cache")

// newestCached returns the newest build (by Debian version) cached for
// target name.
func (c *Cache) newestCached(name string) (Kernel, error) {
	ks, err := c.Cached(name)
	if err != nil {
		return Kernel{}, err
	}
	if len(ks) == 0 {
		return Kernel{}, fmt.Errorf("%w under %s (offline: fetch it first with tracebench vm fetch %s)", ErrNotCached, c.kernelsDir(), name)
	}
	newest := ks[0]
	for _, k := range ks[1:] {
		if debian.CompareVersions(k.Version, newest.Version) > 0 {
			newest = k
		}
	}
	return newest, nil
}

// Prune removes every kernel build from the cache but those in keep, and
// the kernel headers of other builds (see Headers), and returns the
// directories it removed: a cache carried between CI runs then holds only
// the builds the matrix resolves to today.
func (c *Cache) Prune(keep []Kernel) ([]string, error) {
	kept := map[string]bool{}
	for _, k := range keep {
		kept[filepath.Clean(k.Dir)] = true
		kept[c.headersDir(k)] = true
	}
	var removed []string
	for _, dir := range []string{c.kernelsDir(), filepath.Join(c.Dir, "headers")} {
		dirs, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, err
		}
		for _, d := range dirs {
			p := filepath.Join(dir, d.Name())
			if kept[p] || strings.HasPrefix(d.Name(), ".") { // dot: another fetch's staging
				continue
			}
			if err := os.RemoveAll(p); err != nil {
				return removed, fmt.Errorf("prune kernel cache: %w", err)
			}
			removed = append(removed, p)
		}
	}
	return removed, nil
}
