package auditnl

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// LockFile is the advisory lock that serialises processes changing the
// audit configuration, which is global to the machine: two measurements (or
// two test binaries, which go test runs in parallel) registering daemons
// and loading rules at once would see each other's changes.
const LockFile = "/run/lock/tracebench-audit.lock"

// Lock waits for and takes LockFile. The lock is released by the returned
// function, or by the kernel when the process exits.
func Lock() (unlock func() error, err error) {
	if err := os.MkdirAll(filepath.Dir(LockFile), 0o755); err != nil {
		return nil, fmt.Errorf("audit lock: %w", err)
	}
	f, err := os.OpenFile(LockFile, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("audit lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit lock %s: %w", LockFile, err)
	}
	return f.Close, nil // closing the file releases the lock
}
