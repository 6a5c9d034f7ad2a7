package loader

import (
	"errors"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/backends"
)

// KernelBTF is where the running kernel exposes its own BTF
// (CONFIG_DEBUG_INFO_BTF, kernel 5.4 and later).
const KernelBTF = "/sys/kernel/btf/vmlinux"

// memlockHint is what cilium/ebpf appends to an EPERM from BPF_PROG_LOAD.
const memlockHint = " (MEMLOCK may be too low, consider rlimit.RemoveMemlock)"

// Classify turns a load or attach error into a classified reason. The
// errno the kernel returned is the only reliable signal; its meaning
// depends on the step that failed, which the wrapped message names.
func Classify(err error) *backends.Unsupported {
	if u, ok := backends.AsUnsupported(err); ok {
		return u
	}
	switch {
	case errors.Is(err, ebpf.ErrNotSupported):
		// A load without kernel types is missing-btf already (noKernelBTF).
		return backends.Unsupportedf(backends.MissingConfig, "%v", err)
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		// cilium/ebpf suggests raising RLIMIT_MEMLOCK on any EPERM; Load has
		// already removed the limit, so the hint would mislead.
		msg := strings.Replace(err.Error(), memlockHint, "", 1)
		return backends.Unsupportedf(backends.Permission, "%s (the memlock limit is already lifted: the kernel refused)", msg)
	case errors.Is(err, unix.ENOENT), errors.Is(err, os.ErrNotExist):
		return backends.Unsupportedf(backends.MissingSymbol, "%v", err)
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOTSUP), errors.Is(err, unix.EINVAL):
		return backends.Unsupportedf(backends.MissingConfig, "%v", err)
	}
	return backends.Unsupportedf(backends.Failed, "%v", err)
}
