package vmtests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Kernel is a fetched kernel, ready to boot.
type Kernel struct {
	Target  string `json:"target"`
	Release string `json:"release"`           // uname -r
	Package string `json:"package,omitempty"` // Debian package name
	Version string `json:"version,omitempty"` // Debian package version
	Suite   string `json:"suite,omitempty"`
	Arch    string `json:"arch"`
	// Image is the kernel as shipped (bzImage on amd64, raw Image on arm64).
	Image string `json:"image,omitempty"`
	// VMLinux is the ELF kernel for PVH boot (amd64 only).
	VMLinux string `json:"vmlinux,omitempty"`
	// Modules are the module files the guest loads, dependencies first.
	Modules []string `json:"modules,omitempty"`
	Config  string   `json:"config,omitempty"`
	BTF     string   `json:"btf,omitempty"`
	// Dir is the cache directory holding the files.
	Dir string `json:"-"`
	// Downloaded reports whether this Fetch downloaded anything.
	Downloaded bool `json:"-"`
}

// BootImage is the file qemu boots: the ELF vmlinux where there is one.
func (k Kernel) BootImage() string {
	if k.VMLinux != "" {
		return k.VMLinux
	}
	return k.Image
}

const manifestName = "kernel.json"

// save writes k's manifest into k.Dir with paths relative to it, so a cache
// can move.
func (k Kernel) save() error {
	rel := k
	rel.Modules = append([]string(nil), k.Modules...)
	for _, p := range append([]*string{&rel.Image, &rel.VMLinux, &rel.Config, &rel.BTF}, sliceRefs(rel.Modules)...) {
		if *p != "" {
			r, err := filepath.Rel(k.Dir, *p)
			if err != nil {
				return err
			}
			*p = r
		}
	}
	b, err := json.MarshalIndent(rel, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(k.Dir, manifestName), append(b, '\n'), 0o644)
}

// loadKernel reads the manifest in dir.
func loadKernel(dir string) (Kernel, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return Kernel{}, err
	}
	var k Kernel
	if err := json.Unmarshal(b, &k); err != nil {
		return Kernel{}, fmt.Errorf("%s: %w", filepath.Join(dir, manifestName), err)
	}
	k.Dir = dir
	for _, p := range append([]*string{&k.Image, &k.VMLinux, &k.Config, &k.BTF}, sliceRefs(k.Modules)...) {
		if *p != "" {
			*p = filepath.Join(dir, *p)
		}
	}
	return k, nil
}

// sliceRefs points at each element of s.
func sliceRefs(s []string) []*string {
	out := make([]*string, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}
