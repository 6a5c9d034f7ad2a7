package vmtests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tracebench/tracebench/internal/debian"
)

// DebianPackage is a Debian kernel image package, by name pattern ('*'
// matches a run of characters without '-'): the newest build is fetched.
type DebianPackage struct{ Pattern string }

func (d DebianPackage) String() string { return "debian package " + d.Pattern }

// Fetch resolves the newest build and, unless that build is cached, downloads
// it, keeps the kernel image, config and guest modules, and deletes the .deb.
// Package lists younger than debian.Freshness are not refreshed, so fetching
// a cached build does no network work. An offline cache gives its newest
// cached build and never resolves.
func (d DebianPackage) Fetch(ctx context.Context, c *Cache, t Target) (Kernel, error) {
	if c.Offline {
		return c.newestCached(t.Name)
	}
	repo := c.Repo()
	if err := repo.Update(ctx); err != nil {
		return Kernel{}, err
	}
	p, err := repo.Resolve(ctx, d.Pattern, t.Arch)
	if err != nil {
		return Kernel{}, err
	}
	dir := filepath.Join(c.kernelsDir(), fmt.Sprintf("%s_%s_%s", p.Name, p.Version, p.Arch))
	if k, err := loadKernel(dir); err == nil && k.Layout >= cacheLayout {
		k.Target = t.Name // the build may be cached for another target name
		return k, nil
	}
	deb, err := repo.Download(ctx, p)
	if err != nil {
		return Kernel{}, err
	}
	defer os.Remove(deb)
	if err := os.MkdirAll(c.kernelsDir(), 0o755); err != nil {
		return Kernel{}, err
	}
	staging, err := os.MkdirTemp(c.kernelsDir(), ".staging-")
	if err != nil {
		return Kernel{}, err
	}
	defer os.RemoveAll(staging)
	k, err := unpackDebian(deb, staging, p, t)
	if err != nil {
		return Kernel{}, fmt.Errorf("%s: %w", p, err)
	}
	if k, err = install(k, staging, dir); err != nil {
		return Kernel{}, err
	}
	k.Downloaded = true
	return k, nil
}

// unpackDebian extracts the kernel image, its config and the module tree
// into staging/deb, assembles the kernel in staging, and drops the rest.
func unpackDebian(deb, staging string, p debian.Package, t Target) (Kernel, error) {
	raw := filepath.Join(staging, "deb")
	paths, err := debian.Extract(deb, raw, func(path string) bool {
		return strings.HasPrefix(path, "boot/vmlinuz-") || strings.HasPrefix(path, "boot/config-") ||
			strings.Contains(path, "lib/modules/") && (strings.Contains(path, "/kernel/") || strings.HasSuffix(path, "/modules.builtin"))
	})
	if err != nil {
		return Kernel{}, err
	}
	k := Kernel{Target: t.Name, Package: p.Name, Version: p.Version, Suite: p.Suite, Arch: t.Arch}
	var modDir string
	for _, path := range paths {
		switch {
		case strings.HasPrefix(path, "boot/vmlinuz-"):
			k.Release = strings.TrimPrefix(path, "boot/vmlinuz-")
			k.Image = filepath.Join(staging, "vmlinuz")
			if err := os.Rename(filepath.Join(raw, path), k.Image); err != nil {
				return Kernel{}, err
			}
		case strings.HasPrefix(path, "boot/config-"):
			k.Config = filepath.Join(staging, "config")
			if err := os.Rename(filepath.Join(raw, path), k.Config); err != nil {
				return Kernel{}, err
			}
		case strings.HasSuffix(path, "/modules.builtin"):
			modDir = filepath.Join(raw, filepath.Dir(path))
		}
	}
	if k.Image == "" {
		return Kernel{}, fmt.Errorf("%w: package has no boot/vmlinuz-*", ErrBadImage)
	}
	if err := assemble(&k, staging, modDir); err != nil {
		return Kernel{}, err
	}
	return k, os.RemoveAll(raw)
}
