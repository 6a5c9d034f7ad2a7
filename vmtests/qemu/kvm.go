package qemu

import (
	"os"

	"golang.org/x/sys/unix"
)

// ioctls of /dev/kvm (include/uapi/linux/kvm.h).
const (
	kvmGetAPIVersion = 0xae00
	kvmCreateVM      = 0xae01
	kvmAPIVersion    = 12
)

// KVMUsable reports whether this process can create a KVM virtual machine:
// /dev/kvm can exist and open while VM creation still fails (no vmx/svm
// flag in a nested guest), so it creates and closes one.
func KVMUsable() bool {
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
