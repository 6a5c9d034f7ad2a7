package workloads

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// getppidLoop makes getppid(2) calls: the cheapest event, so per-event
// overhead is largest relative to the baseline.
type getppidLoop struct{}

func (getppidLoop) Do(n int) (int, error) {
	for range n {
		unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
	}
	return n, nil
}

func (getppidLoop) Close() error { return nil }

// getuidLoop makes getuid(2) calls, which no backend traces.
type getuidLoop struct{}

func (getuidLoop) Do(n int) (int, error) {
	for range n {
		unix.RawSyscall(unix.SYS_GETUID, 0, 0, 0)
	}
	return n, nil
}

func (getuidLoop) Close() error { return nil }

// openatLoop opens and closes /dev/null: one openat(2) per operation, on a
// path that exists on every machine and in every guest.
type openatLoop struct {
	path *byte
}

func newOpenatLoop() (*openatLoop, error) {
	// Converted once: the measured loop must not allocate.
	p, err := unix.BytePtrFromString("/dev/null")
	if err != nil {
		return nil, err
	}
	return &openatLoop{path: p}, nil
}

func (o *openatLoop) Do(n int) (int, error) {
	fdcwd := unix.AT_FDCWD
	at := uintptr(fdcwd) // a negative constant: convert through a variable
	path := uintptr(unsafe.Pointer(o.path))
	for i := range n {
		fd, _, errno := unix.RawSyscall6(unix.SYS_OPENAT, at, path, unix.O_RDONLY|unix.O_CLOEXEC, 0, 0, 0)
		if errno != 0 {
			return i, errno
		}
		unix.RawSyscall(unix.SYS_CLOSE, fd, 0, 0)
	}
	return n, nil
}

func (o *openatLoop) Close() error { return nil }
