package guest

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// kernelBTFDir is where the kernel shows its BTF (and its modules') to
// user space.
const kernelBTFDir = "/sys/kernel/btf"

// HideKernelBTF mounts an empty tmpfs over /sys/kernel/btf: user space in
// the guest then sees a kernel without BTF (libraries find none to
// relocate against) while the kernel keeps its own. Only for the guest,
// which is thrown away after the run.
func HideKernelBTF() error {
	if err := unix.Mount("tmpfs", kernelBTFDir, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=4k"); err != nil {
		return fmt.Errorf("hide %s: mount tmpfs: %w", kernelBTFDir, err)
	}
	return nil
}
