package vmtests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	// ShareModules are the further modules, dependencies first, a guest
	// loads to mount 9p shares (BootOptions.Shares); none if the kernel
	// has 9p built in or not at all.
	ShareModules []string `json:"share_modules,omitempty"`
	Config       string   `json:"config,omitempty"`
	BTF          string   `json:"btf,omitempty"`
	// Layout is the cache layout the kernel was assembled for (see
	// cacheLayout).
	Layout int `json:"layout,omitempty"`
	// Dir is the cache directory holding the files.
	Dir string `json:"-"`
	// Downloaded reports whether this Fetch downloaded anything.
	Downloaded bool `json:"-"`
}

// CanShare reports whether a guest of k can mount 9p shares
// (BootOptions.Shares): with the modules for it (ShareModules), or with 9p
// and its virtio transport built in (by its config).
func (k Kernel) CanShare() bool {
	if len(k.ShareModules) > 0 {
		return true
	}
	b, err := os.ReadFile(k.Config)
	if err != nil {
		return false
	}
	config := "\n" + string(b)
	return strings.Contains(config, "\nCONFIG_9P_FS=y\n") && strings.Contains(config, "\nCONFIG_NET_9P_VIRTIO=y\n")
}

// BootImage is the file qemu boots: the ELF vmlinux where there is one.
func (k Kernel) BootImage() string {
	if k.VMLinux != "" {
		return k.VMLinux
	}
	return k.Image
}

const manifestName = "kernel.json"

// cacheLayout versions what assemble keeps of a kernel package: 2 added
// ShareModules. A Debian build cached with an older layout is fetched
// again.
const cacheLayout = 2

// save writes k's manifest into k.Dir with paths relative to it, so a cache
// can move.
func (k Kernel) save() error {
	rel := k
	rel.Modules = append([]string(nil), k.Modules...)
	rel.ShareModules = append([]string(nil), k.ShareModules...)
	for _, p := range rel.paths() {
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
	for _, p := range k.paths() {
		if *p != "" {
			*p = filepath.Join(dir, *p)
		}
	}
	return k, nil
}

// paths points at each file path of k.
func (k *Kernel) paths() []*string {
	return append(append([]*string{&k.Image, &k.VMLinux, &k.Config, &k.BTF}, sliceRefs(k.Modules)...), sliceRefs(k.ShareModules)...)
}

// sliceRefs points at each element of s.
func sliceRefs(s []string) []*string {
	out := make([]*string, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}
