package vmtests

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tracebench/tracebench/internal/debian"
)

// ErrNoHeaders is returned (wrapped) for a kernel whose headers cannot be
// had: one not built from a Debian package.
var ErrNoHeaders = errors.New("no kernel headers package")

// Headers returns a directory holding k's kernel headers as one tree, laid
// out as a kernel source tree: the source headers of Debian's
// linux-headers-<abi>-common with the build package's generated headers
// and config (linux-headers-<release>) over them. Debian splits the two
// (/lib/modules/<release>/source and build); one tree serves tools given a
// single directory (BCC_KERNEL_SOURCE). The packages are k's exact version,
// fetched once and kept under the cache's headers directory: a second call
// does no network work.
func (c *Cache) Headers(ctx context.Context, k Kernel) (string, error) {
	if !strings.HasPrefix(k.Package, "linux-image-") || k.Version == "" {
		return "", fmt.Errorf("headers of %s (Linux %s): %w: the kernel is not a Debian package build", k.Target, k.Release, ErrNoHeaders)
	}
	dir := c.headersDir(k)
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	if c.Offline {
		return "", fmt.Errorf("headers of Linux %s: %w under %s", k.Release, ErrNotCached, dir)
	}
	repo := c.Repo()
	if err := repo.Update(ctx); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	staging, err := os.MkdirTemp(filepath.Dir(dir), ".staging-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(staging)
	raw := filepath.Join(staging, "deb")
	build := debian.Package{Name: "linux-headers-" + k.Release, Version: k.Version, Arch: k.Arch}
	depends, err := fetchTree(ctx, repo, build, raw)
	if err != nil {
		return "", err
	}
	common, err := commonHeaders(depends)
	if err != nil {
		return "", fmt.Errorf("%s: %w", build, err)
	}
	if _, err := fetchTree(ctx, repo, common, raw); err != nil {
		return "", err
	}
	tree := filepath.Join(staging, "tree")
	if err := os.Rename(filepath.Join(raw, "usr/src", common.Name), tree); err != nil {
		return "", fmt.Errorf("%s: %w", common, err)
	}
	if err := moveOver(filepath.Join(raw, "usr/src", build.Name), tree); err != nil {
		return "", fmt.Errorf("%s: %w", build, err)
	}
	if err := os.Rename(tree, dir); err != nil {
		if _, serr := os.Stat(dir); serr == nil {
			return dir, nil // another fetch installed them meanwhile
		}
		return "", fmt.Errorf("install headers: %w", err)
	}
	return dir, nil
}

// headersDir is where Headers keeps k's headers.
func (c *Cache) headersDir(k Kernel) string {
	return filepath.Join(c.Dir, "headers", fmt.Sprintf("%s_%s_%s", k.Release, k.Version, k.Arch))
}

// moveOver moves the files of tree src into tree dst, replacing files of
// the same name; a symbolic link whose name dst has already is dropped
// (Debian's build package links scripts and tools to linux-kbuild).
func moveOver(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			if _, err := os.Lstat(to); err == nil {
				return nil
			}
		}
		return os.Rename(path, to)
	})
}

// fetchTree downloads p, unpacks it into dir and returns its Depends.
func fetchTree(ctx context.Context, repo *debian.Repo, p debian.Package, dir string) (string, error) {
	deb, err := repo.Download(ctx, p)
	if err != nil {
		return "", err
	}
	defer os.Remove(deb)
	if err := debian.ExtractTree(deb, dir); err != nil {
		return "", err
	}
	return debian.ControlField(deb, "Depends")
}

// commonRE finds the architecture-independent headers package in a
// linux-headers package's Depends, with its exact version.
var commonRE = regexp.MustCompile(`(linux-headers-[^\s,]+-common(?:-[^\s,]+)?) \(= ([^)\s]+)\)`)

// commonHeaders returns the -common package a build headers package
// depends on (linux-headers-6.1.0-57-common (= 6.1.192-3)).
func commonHeaders(depends string) (debian.Package, error) {
	m := commonRE.FindStringSubmatch(depends)
	if m == nil {
		return debian.Package{}, fmt.Errorf("no linux-headers-*-common in its Depends %q", depends)
	}
	return debian.Package{Name: m[1], Version: m[2]}, nil
}
