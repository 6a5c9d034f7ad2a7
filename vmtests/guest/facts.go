package guest

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Facts are what a kernel offers the harness, as seen from inside; the
// selftest reports them so the host can check a guest is fit for cells.
type Facts struct {
	Release string `json:"release"` // uname -r
	Machine string `json:"machine"` // uname -m: x86_64, aarch64
	// BTF: /sys/kernel/btf/vmlinux exists (CONFIG_DEBUG_INFO_BTF, 5.4+).
	BTF bool `json:"btf"`
	// Mounts maps mount points to their file system type.
	Mounts map[string]string `json:"mounts"`
	// Modules lists the loaded modules (/proc/modules).
	Modules []string `json:"modules"`
	// LoopbackUp: lo has IFF_UP.
	LoopbackUp bool `json:"loopback_up"`
}

// ReadFacts gathers Facts about the running kernel.
func ReadFacts() (Facts, error) {
	var f Facts
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return f, err
	}
	f.Release, f.Machine = unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:])
	_, err := os.Stat("/sys/kernel/btf/vmlinux")
	f.BTF = err == nil
	if f.Mounts, err = readMounts(); err != nil {
		return f, err
	}
	if b, err := os.ReadFile("/proc/modules"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f.Modules = append(f.Modules, strings.Fields(sc.Text())[0])
		}
	}
	if b, err := os.ReadFile("/sys/class/net/lo/flags"); err == nil {
		flags, err := strconv.ParseUint(strings.TrimSpace(string(b)), 0, 32)
		f.LoopbackUp = err == nil && flags&unix.IFF_UP != 0
	}
	return f, nil
}

// readMounts maps each mount point of /proc/self/mounts to its type; the
// last mount on a point wins, as it hides the others.
func readMounts() (map[string]string, error) {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 3 {
			m[f[1]] = f[2]
		}
	}
	return m, nil
}
