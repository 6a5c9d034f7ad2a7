package vmtests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tracebench/tracebench/vmtests/kbuild"
)

// KernelBuild is a kernel tracebench builds from Debian's kernel source
// with a checked-in configuration (package kbuild), e.g. "nobtf": a 6.1
// kernel without BTF whose types come from the BTF generated from its
// DWARF. Fetching it builds it once (about 12 minutes on 2 cores), then
// hits the build cache.
type KernelBuild struct{ Name string }

func (b KernelBuild) String() string { return "kernel build " + b.Name }

// Builder returns the cache's kernel builder, building into Dir/builds.
func (c *Cache) Builder() *kbuild.Builder {
	return &kbuild.Builder{Dir: filepath.Join(c.Dir, "builds"), Repo: c.Repo()}
}

// Fetch builds the kernel unless built already, and prepares its boot
// files like a local image's; the generated BTF becomes the kernel's BTF.
// Offline, it takes the newest build already cached.
func (b KernelBuild) Fetch(ctx context.Context, c *Cache, t Target) (Kernel, error) {
	spec, err := kbuild.Lookup(b.Name)
	if err != nil {
		return Kernel{}, err
	}
	if c.Offline {
		return c.newestCached(t.Name)
	}
	r, err := c.Builder().Build(ctx, spec)
	if err != nil {
		return Kernel{}, err
	}
	dir := filepath.Join(c.kernelsDir(), fmt.Sprintf("build-%s-%s-%s_%s", r.Name, r.Version, r.Key, t.Arch))
	if k, err := loadKernel(dir); err == nil {
		k.Target = t.Name
		k.Downloaded = r.Built
		return k, nil
	}
	if err := os.MkdirAll(c.kernelsDir(), 0o755); err != nil {
		return Kernel{}, err
	}
	staging, err := os.MkdirTemp(c.kernelsDir(), ".staging-")
	if err != nil {
		return Kernel{}, err
	}
	defer os.RemoveAll(staging)
	k := Kernel{Target: t.Name, Package: r.Package, Version: r.Version, Arch: t.Arch, Release: r.Release,
		Image: filepath.Join(staging, "bzImage"), VMLinux: filepath.Join(staging, "vmlinux"),
		Config: filepath.Join(staging, "config"), BTF: filepath.Join(staging, "vmlinux.btf")}
	for src, dst := range map[string]string{r.Image: k.Image, r.VMLinux: k.VMLinux, r.Config: k.Config, r.BTF: k.BTF} {
		if err := copyFile(src, dst); err != nil {
			return Kernel{}, err
		}
	}
	if k, err = install(k, staging, dir); err != nil {
		return Kernel{}, err
	}
	k.Downloaded = r.Built
	return k, nil
}
