package perfevent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Wait blocks until a ring has WakeupEvents samples to read (nil), every
// followed task has exited ([ErrExited]), Interrupt was called
// ([ErrInterrupted]) or timeout passed (os.ErrDeadlineExceeded); a negative
// timeout waits forever. It polls the event file descriptors, which the
// kernel makes readable at each wakeup and hangs up when the task (and its
// inherited children) exit, and an eventfd for Interrupt.
func (s *Sampler) Wait(timeout time.Duration) error {
	fds := make([]unix.PollFd, 1+len(s.rings))
	fds[0] = unix.PollFd{Fd: int32(s.wake), Events: unix.POLLIN}
	for i, r := range s.rings {
		fd := int32(r.fd)
		if r.hup {
			fd = -1 // poll(2) skips negative fds; a hung-up fd would return at once forever
		}
		fds[1+i] = unix.PollFd{Fd: fd, Events: unix.POLLIN}
	}
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	n, err := unix.Poll(fds, ms)
	for errors.Is(err, unix.EINTR) {
		n, err = unix.Poll(fds, ms)
	}
	if err != nil {
		return &Error{Op: "poll", Event: s.ev.Name, Err: err}
	}
	if n == 0 {
		return os.ErrDeadlineExceeded
	}
	if fds[0].Revents&unix.POLLIN != 0 {
		var b [8]byte
		if _, err := unix.Read(s.wake, b[:]); err != nil {
			return fmt.Errorf("read eventfd: %w", err)
		}
		return ErrInterrupted
	}
	live := 0
	for i, r := range s.rings {
		ev := fds[1+i].Revents
		if ev&unix.POLLNVAL != 0 {
			return &Error{Op: "poll", Event: s.ev.Name, Err: fmt.Errorf("fd %d of cpu %d is not open", r.fd, r.cpu)}
		}
		if ev&unix.POLLHUP != 0 {
			r.hup = true
		}
		if !r.hup {
			live++
		}
	}
	if live == 0 {
		return ErrExited
	}
	// Readable, or one ring just hung up and may still hold records.
	return nil
}

// Interrupt makes a Wait in another goroutine (or the next one) return
// ErrInterrupted.
func (s *Sampler) Interrupt() error {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], 1)
	if _, err := unix.Write(s.wake, b[:]); err != nil {
		return fmt.Errorf("write eventfd: %w", err)
	}
	return nil
}
