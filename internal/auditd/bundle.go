package auditd

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// multiarch is Debian's library directory name per Go architecture.
var multiarch = map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}

// Bundle returns the installed auditd and every shared library it loads,
// by the absolute paths the dynamic loader finds them at, for a guest's
// initramfs: a guest has no Debian system, only what it is given. It
// works for guests of the running architecture only (the binaries are
// this machine's); arch names the guest's.
func Bundle(arch string) (map[string][]byte, error) {
	if arch != runtime.GOARCH {
		return nil, fmt.Errorf("auditd bundle: this machine's auditd is %s, the guest is %s", runtime.GOARCH, arch)
	}
	bin, err := exec.LookPath("auditd")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	libDir := "/lib/" + multiarch[arch]
	out := map[string][]byte{}
	queue := []string{bin}
	dest := map[string]string{bin: "/usr/sbin/auditd"}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		b, err := os.ReadFile(path) // follows symbolic links: the guest gets files
		if err != nil {
			return nil, fmt.Errorf("auditd bundle: %w", err)
		}
		out[dest[path]] = b
		f, err := elf.Open(path)
		if err != nil {
			return nil, fmt.Errorf("auditd bundle: %s: %w", path, err)
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
			return nil, fmt.Errorf("auditd bundle: %s: %w", path, err)
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
