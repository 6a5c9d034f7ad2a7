package guest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// mountShares mounts the 9p shares listed in SharesFile read-only. msize
// raises 9p's message size from its 8 KiB default (fewer round trips to
// read a program, its libraries and headers; virtio allows up to 512 KiB),
// and cache=loose lets the guest cache what it read: the host side does
// not change during a run.
func mountShares() error {
	b, err := os.ReadFile(SharesFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("shares: %w", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		tag, target, ok := strings.Cut(line, " ")
		if !ok {
			return fmt.Errorf("shares: bad line %q in %s, want \"tag mount-point\"", line, SharesFile)
		}
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("share %s: %w", tag, err)
		}
		err := unix.Mount(tag, target, "9p", unix.MS_RDONLY, "trans=virtio,version=9p2000.L,msize=512000,cache=loose")
		if err != nil {
			return fmt.Errorf("mount share %s on %s (9p over virtio; the kernel needs 9p and 9pnet_virtio): %w", tag, target, err)
		}
	}
	return nil
}

// chrootBinds are the guest's file systems a program run chrooted into a
// host's root sees in place of the host's: the kernel interfaces (/sys
// with tracefs, debugfs, cgroup2 and bpffs under it), devices, and the
// scratch directories where go-plugin puts its unix socket.
var chrootBinds = []string{"/proc", "/sys", "/dev", "/tmp", "/run"}

// PrepareChroot makes root, a host's root file system shared with the
// guest, usable as a chroot for the guest's programs: the guest's own
// /proc, /sys, /dev, /tmp and /run, with what is mounted under them, are
// bound over the host's.
func PrepareChroot(root string) error {
	for _, d := range chrootBinds {
		if err := unix.Mount(d, filepath.Join(root, d), "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("chroot %s: bind %s: %w", root, d, err)
		}
	}
	return nil
}
