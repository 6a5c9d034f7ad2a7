package debian

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lock takes an exclusive flock(2) on Dir/lock, serialising apt runs on Dir
// across goroutines and processes (two test binaries, two tracebench
// commands): apt-get update fails at once, rather than waiting, when another
// apt holds the lists lock. The returned function releases it.
func (r *Repo) lock() (func(), error) {
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("apt directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(r.Dir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("apt directory lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("apt directory lock: flock: %w", err)
	}
	return func() { f.Close() }, nil
}
