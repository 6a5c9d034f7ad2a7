package guest

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// mount is one file system the guest needs, or may lack.
type mount struct {
	source, target, fstype string
	flags                  uintptr
	// optional: a kernel without the file system (ENODEV) still boots.
	optional bool
}

// cgroup2Mount is where the guest mounts the cgroup v2 hierarchy.
const cgroup2Mount = "/sys/fs/cgroup"

// mounts in order: /sys before the file systems that live under it.
// tracefs has its own mount point since 4.1; debugfs, cgroup2 (4.5) and
// bpffs (4.4) are where tools expect them.
var mounts = []mount{
	{"proc", "/proc", "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
	{"sysfs", "/sys", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
	{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID, false},
	// Pseudo-terminals, for tools that buffer their output unless it is a
	// terminal (trace-cmd; backends/frontend).
	{"devpts", "/dev/pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, true},
	{"tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, false},
	{"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, false},
	{"tracefs", "/sys/kernel/tracing", "tracefs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
	// Small kernels may leave out CONFIG_DEBUG_FS (tinyconfig does):
	// nothing tracebench runs needs it.
	{"debugfs", "/sys/kernel/debug", "debugfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, true},
	{"cgroup2", cgroup2Mount, "cgroup2", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
	{"bpf", "/sys/fs/bpf", "bpf", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
}

// mountAll mounts every file system; each error names its mount point.
// EBUSY means the kernel mounted it already (devtmpfs with
// CONFIG_DEVTMPFS_MOUNT on some configurations); ENODEV that the kernel
// lacks the file system, which only an optional one may.
func mountAll() error {
	for _, m := range mounts {
		if _, err := os.Stat(m.target); err != nil && m.optional && strings.HasPrefix(m.target, "/sys/") {
			continue // the kernel makes the mount point when it has the file system
		}
		if err := os.MkdirAll(m.target, 0o755); err != nil {
			return fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err)
		}
		err := unix.Mount(m.source, m.target, m.fstype, m.flags, "")
		if err != nil && !errors.Is(err, unix.EBUSY) && !(m.optional && errors.Is(err, unix.ENODEV)) {
			return fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err)
		}
	}
	return nil
}
