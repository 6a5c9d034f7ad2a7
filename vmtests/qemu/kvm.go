package qemu

import (
	"bytes"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// ioctls of /dev/kvm (include/uapi/linux/kvm.h).
const (
	kvmGetAPIVersion = 0xae00
	kvmCreateVM      = 0xae01
	kvmAPIVersion    = 12
)

// KVMUsable reports whether qemu can run an ordinary kernel under KVM here.
// /dev/kvm existing and even creating VMs is not enough: on x86 without
// hardware virtualization (no vmx/svm CPU flag) /dev/kvm may be served by
// kvm_pvm, a pagetable-based KVM that only runs PVM-enabled guest kernels;
// qemu then aborts setting the first MSR. So on x86 the CPU flag is
// required too, and a VM is created and closed.
func KVMUsable() bool {
	if runtime.GOARCH == "amd64" && !cpuHasVirtualization() {
		return false
	}
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	v, err := unix.IoctlRetInt(int(f.Fd()), kvmGetAPIVersion)
	if err != nil || v != kvmAPIVersion {
		return false
	}
	vm, err := unix.IoctlRetInt(int(f.Fd()), kvmCreateVM)
	if err != nil {
		return false
	}
	unix.Close(vm)
	return true
}

// cpuHasVirtualization reports whether /proc/cpuinfo lists vmx (Intel VT-x)
// or svm (AMD-V).
func cpuHasVirtualization() bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if name, flags, ok := bytes.Cut(line, []byte(":")); ok && string(bytes.TrimSpace(name)) == "flags" {
			for _, f := range bytes.Fields(flags) {
				if string(f) == "vmx" || string(f) == "svm" {
					return true
				}
			}
			return false
		}
	}
	return false
}
