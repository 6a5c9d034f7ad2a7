package workloads

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// connectLoop connects TCP sockets to a loopback listener of its own. Each
// operation is socket, connect, accept and two closes, all in one thread:
// the handshake completes inside connect(2) on loopback, and accepting in
// the same loop keeps the accept queue from filling without a second thread
// competing for the pinned CPU. SO_LINGER 0 resets the connection on close,
// so no TIME_WAIT sockets pile up and exhaust local ports.
type connectLoop struct {
	listener int
	addr     unix.SockaddrInet4
}

func newConnectLoop() (*connectLoop, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("listener socket: %w", err)
	}
	c := &connectLoop{listener: fd}
	lo := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := unix.Bind(fd, lo); err != nil {
		c.Close()
		return nil, fmt.Errorf("bind 127.0.0.1: %w (is the loopback interface up?)", err)
	}
	if err := unix.Listen(fd, 64); err != nil {
		c.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.addr = *sa.(*unix.SockaddrInet4)
	return c, nil
}

var noLinger = &unix.Linger{Onoff: 1, Linger: 0}

func (c *connectLoop) Do(n int) (int, error) {
	for i := range n {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return i, fmt.Errorf("socket: %w", err)
		}
		unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, noLinger)
		if err := unix.Connect(fd, &c.addr); err != nil {
			unix.Close(fd)
			return i, fmt.Errorf("connect 127.0.0.1:%d: %w", c.addr.Port, err)
		}
		nfd, _, err := unix.Accept4(c.listener, unix.SOCK_CLOEXEC)
		if err != nil {
			unix.Close(fd)
			return i, fmt.Errorf("accept: %w", err)
		}
		unix.Close(fd)
		unix.Close(nfd)
	}
	return n, nil
}

func (c *connectLoop) Close() error { return unix.Close(c.listener) }
