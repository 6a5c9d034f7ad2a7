// Package elfbundle collects installed programs with the shared libraries
// they need, to carry them into a guest's initramfs.
package elfbundle

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// multiarch is Debian's library directory name per Go architecture.
var multiarch = map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}

// Bundle returns the installed programs (looked up in $PATH) and every
// shared library they load, by the absolute paths the dynamic loader
// finds them at, for a guest's initramfs: a guest has no Debian system,
// only what it is given. It works for guests of the running architecture
// only (the binaries are this machine's); arch names the guest's.
func Bundle(arch string, programs ...string) (map[string][]byte, error) {
	if arch != runtime.GOARCH {
		return nil, fmt.Errorf("bundle %s: this machine's programs are %s, the guest is %s", strings.Join(programs, ", "), runtime.GOARCH, arch)
	}
	libDir := "/lib/" + multiarch[arch]
	out := map[string][]byte{}
	var queue []string
	dest := map[string]string{}
	for _, p := range programs {
		bin, err := exec.LookPath(p)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		queue = append(queue, bin)
		dest[bin] = bin
	}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		b, err := os.ReadFile(path) // follows symbolic links: the guest gets files
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		out[dest[path]] = b
		f, err := elf.Open(path)
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", path, err)
		}
		needed, err := f.ImportedLibraries()
		var interp string
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				b := make([]byte, p.Filesz)
				if _, err := p.ReadAt(b, 0); err == nil {
					interp = string(b[:len(b)-1]) // NUL-terminated
				}
			}
		}
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", path, err)
		}
		if interp != "" {
			if _, seen := out[interp]; !seen {
				dest[interp] = interp
				queue = append(queue, interp)
				out[interp] = nil // queued
			}
		}
		for _, lib := range needed {
			to := filepath.Join(libDir, lib)
			if _, seen := out[to]; seen {
				continue
			}
			from := filepath.Join(libDir, lib)
			if _, err := os.Stat(from); err != nil {
				from = filepath.Join("/usr", libDir, lib)
			}
			dest[from] = to
			queue = append(queue, from)
			out[to] = nil // queued
		}
	}
	return out, nil
}
