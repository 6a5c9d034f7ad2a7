// Package qemu boots a kernel and initramfs in qemu, with KVM when the host
// can use it and software emulation (TCG) otherwise, and reports how the
// guest ended: ran to its end, panicked, timed out, or qemu failed. A guest
// never outlives its deadline: qemu runs in its own process group, which is
// killed as a whole.
package qemu

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Port is a virtio-serial port backed by a host file; the guest finds it by
// Name under /sys/class/virtio-ports/*/name.
type Port struct {
	Name string
	Path string
}

// Share is a host directory the guest may mount read-only as a 9p file
// system (virtio-9p, trans=virtio) by Tag.
type Share struct {
	Tag  string
	Path string
}

// Machine describes one guest.
type Machine struct {
	Arch string // amd64 or arm64
	// Kernel is an ELF vmlinux on amd64 (booted through PVH, CONFIG_PVH,
	// 5.0+) and a raw Image on arm64.
	Kernel     string
	Initrd     string
	Cmdline    string // appended to the console and panic settings
	Memory     string // qemu syntax; "" means 512M
	CPUs       int    // 0 means 1
	ConsoleLog string // file the serial console is written to
	Ports      []Port
	Shares     []Share
	Timeout    time.Duration // 0 means no deadline but the context's
	// ICount, when set, is qemu's -icount setting, e.g. "shift=0": under
	// TCG the guest's clock then advances by 2^shift ns per instruction
	// instead of following the host's, and the emulated Arm PMU counts
	// instructions (without it armv8_pmuv3 counts cycles only, and those
	// follow the host's clock). Ignored under KVM, where the real CPU runs
	// the guest.
	ICount string
}

// binaries maps a guest architecture to its qemu binary and Debian package.
var binaries = map[string]MissingError{
	"amd64": {Binary: "qemu-system-x86_64", Package: "qemu-system-x86"},
	"arm64": {Binary: "qemu-system-aarch64", Package: "qemu-system-arm"},
}

// Emulated reports whether a guest of arch runs under TCG on this host.
func Emulated(arch string) bool {
	return arch != runtime.GOARCH || !KVMUsable()
}

// args returns qemu's command line for m.
func (m Machine) args(kvm bool) ([]string, error) {
	mem, cpus := m.Memory, m.CPUs
	if mem == "" {
		mem = "512M"
	}
	if cpus == 0 {
		cpus = 1
	}
	a := []string{
		"-nodefaults", "-no-user-config", "-display", "none",
		"-no-reboot", "-nic", "none",
		"-m", mem, "-smp", strconv.Itoa(cpus),
		"-kernel", m.Kernel, "-initrd", m.Initrd,
		"-chardev", "file,id=console,path=" + m.ConsoleLog,
		"-serial", "chardev:console",
	}
	// panic=-1 reboots at once on a panic, and -no-reboot turns the reboot
	// into qemu's exit.
	cmdline := "panic=-1 " + m.Cmdline
	switch m.Arch {
	case "amd64":
		a = append(a, "-M", "pc")
		// no_timer_check: under TCG on a loaded host the kernel's check
		// that the 8254 timer reaches the IO-APIC can time out and panic
		// ("IO-APIC + timer doesn't work!").
		cmdline = "console=ttyS0 no_timer_check " + cmdline
		if kvm {
			a = append(a, "-accel", "kvm", "-cpu", "host")
		} else {
			a = append(a, "-accel", "tcg", "-cpu", "max")
			a = m.icount(a)
		}
	case "arm64":
		a = append(a, "-M", "virt")
		cmdline = "console=ttyAMA0 " + cmdline
		if kvm {
			a = append(a, "-accel", "kvm", "-cpu", "host")
		} else {
			// Pointer authentication emulation makes TCG about 4x slower.
			a = append(a, "-accel", "tcg", "-cpu", "max,pauth=off")
			a = m.icount(a)
		}
	default:
		return nil, fmt.Errorf("guest architecture %q: want amd64 or arm64", m.Arch)
	}
	a = append(a, "-append", cmdline)
	if len(m.Ports) > 0 {
		a = append(a, "-device", "virtio-serial-pci,id=vser")
		for i, p := range m.Ports {
			id := fmt.Sprintf("port%d", i)
			a = append(a,
				"-chardev", fmt.Sprintf("file,id=%s,path=%s", id, p.Path),
				"-device", fmt.Sprintf("virtserialport,bus=vser.0,chardev=%s,name=%s", id, p.Name))
		}
	}
	for i, s := range m.Shares {
		// multidevs=remap: a share spanning several host file systems
		// (the root) gets inode numbers that do not collide.
		id := fmt.Sprintf("share%d", i)
		a = append(a,
			"-fsdev", fmt.Sprintf("local,id=%s,path=%s,security_model=none,readonly=on,multidevs=remap", id, strings.ReplaceAll(s.Path, ",", ",,")),
			"-device", fmt.Sprintf("virtio-9p-pci,fsdev=%s,mount_tag=%s", id, s.Tag))
	}
	return a, nil
}

// icount appends m's instruction counting setting to TCG arguments a.
func (m Machine) icount(a []string) []string {
	if m.ICount == "" {
		return a
	}
	return append(a, "-icount", m.ICount)
}
