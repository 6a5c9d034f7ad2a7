package auditnl

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Arch is an audit architecture (AUDIT_ARCH_*: the ELF machine with the
// 64-bit and little-endian bits). A syscall rule names the syscall table its
// numbers refer to with an arch field; without one, a rule's numbers would
// match whatever syscall has that number in a compat table too.
type Arch uint32

// Architectures tracebench runs on.
const (
	ArchX86_64  Arch = unix.AUDIT_ARCH_X86_64  // 0xc000003e
	ArchAArch64 Arch = unix.AUDIT_ARCH_AARCH64 // 0xc00000b7
)

// NativeArch returns the audit architecture of the running binary, which is
// the architecture of the kernel running it (tracebench builds no 32-bit or
// compat binaries).
func NativeArch() (Arch, error) {
	switch runtime.GOARCH {
	case "amd64":
		return ArchX86_64, nil
	case "arm64":
		return ArchAArch64, nil
	}
	return 0, errorf(ErrInvalid, "no audit architecture for GOARCH %s", runtime.GOARCH)
}

// String returns the name audit tools print for the architecture.
func (a Arch) String() string {
	switch a {
	case ArchX86_64:
		return "x86_64"
	case ArchAArch64:
		return "aarch64"
	}
	return fmt.Sprintf("arch(%#x)", uint32(a))
}

// syscallTables holds the numbers of the syscalls tracebench's events use,
// from arch/x86/entry/syscalls/syscall_64.tbl and
// include/uapi/asm-generic/unistd.h (arm64 uses the generic table). They
// are part of the kernel ABI and never change.
var syscallTables = map[Arch]map[string]int{
	ArchX86_64: {
		"connect": 42, "execve": 59, "getppid": 110, "openat": 257, "execveat": 322,
	},
	ArchAArch64: {
		"openat": 56, "getppid": 173, "connect": 203, "execve": 221, "execveat": 281,
	},
}

// SyscallNumber returns the number of the named syscall in this
// architecture's table. Only the syscalls tracebench traces are known.
func (a Arch) SyscallNumber(name string) (int, error) {
	t, ok := syscallTables[a]
	if !ok {
		return 0, errorf(ErrInvalid, "no syscall table for %v", a)
	}
	nr, ok := t[name]
	if !ok {
		return 0, errorf(ErrInvalid, "syscall %q not in tracebench's %v table", name, a)
	}
	return nr, nil
}

// SyscallName returns the name of syscall number nr, or "" if it is not one
// tracebench traces.
func (a Arch) SyscallName(nr int) string {
	for name, n := range syscallTables[a] {
		if n == nr {
			return name
		}
	}
	return ""
}
