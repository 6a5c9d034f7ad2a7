package auditnl

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ErrTimeout is returned by Listener.Receive when no record arrived in time.
var ErrTimeout = errors.New("no audit record within the timeout")

// Listener receives audit records from the kernel. It is owned by one
// goroutine: Receive and Close must not run concurrently.
type Listener struct {
	fd       int
	daemon   bool
	buf      []byte
	overruns uint64
}

// ListenMulticast joins the read-only multicast group AUDIT_NLGRP_READLOG
// (Linux 3.16+, needs CAP_AUDIT_READ). kauditd copies every record it takes
// off the backlog to the group, whether or not a daemon is registered;
// listeners need no registration and never make kauditd wait. If this
// socket's receive buffer is full the kernel drops the copy without
// counting it in Lost; Receive notices (ENOBUFS) and counts an overrun, one
// per episode however many records it lost. rcvbuf sets the socket's
// receive buffer in bytes (0 keeps the system default); measured in a 6.1
// guest, a 256 MiB buffer took a 100000-event getppid flood (300000
// records) without loss, a 64 MiB one lost a third of a 200000-event flood
// in one overrun.
func ListenMulticast(rcvbuf int) (*Listener, error) {
	fd, err := openSocket(1 << (unix.AUDIT_NLGRP_READLOG - 1))
	if err != nil {
		return nil, fmt.Errorf("join AUDIT_NLGRP_READLOG: %w", err)
	}
	return newListener(fd, false, rcvbuf)
}

// ListenDaemon registers the calling process as the audit daemon (sets the
// status pid to its pid, as auditd does) and returns the socket records are
// then unicast to. Only one daemon can be registered: ErrDaemonRegistered
// means another one is. Close unregisters.
//
// A daemon must keep reading. kauditd delivers one record at a time and
// waits up to 100 ms (its send timeout) when this socket is full; meanwhile
// the kernel's backlog fills, and with backlog_wait_time 0 further records
// are dropped where they are made and counted in Lost. A record that still
// finds no room (an overrun, see Overruns) goes to a retry queue; if the
// retry fails too, it is dropped without being counted unless the kernel
// was booted with audit=1 (kauditd_hold_skb in kernel/audit.c). Measured in
// a 6.1 guest: with a receiver that keeps up, seen + lost accounts for
// every event of a 200000-event flood; with one that stops reading, a
// handful of events go missing uncounted.
func ListenDaemon(rcvbuf int) (*Listener, error) {
	fd, err := openSocket(0)
	if err != nil {
		return nil, err
	}
	l, err := newListener(fd, true, rcvbuf)
	if err != nil {
		return nil, err
	}
	// The registration must come from this socket: the kernel sends the
	// records to the port that asked (auditd_set in kernel/audit.c).
	c, err := newConn(fd, l.buf)
	if err != nil {
		return nil, err
	}
	if err := c.SetStatus(Status{PID: uint32(os.Getpid())}, MaskPID); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("register as audit daemon: %w", err)
	}
	return l, nil
}

func newListener(fd int, daemon bool, rcvbuf int) (*Listener, error) {
	if rcvbuf > 0 {
		// SO_RCVBUFFORCE lets root exceed net.core.rmem_max.
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rcvbuf); err != nil {
			unix.Close(fd)
			return nil, kernelError("setsockopt SO_RCVBUFFORCE", 0, errnoOf(err))
		}
	}
	return &Listener{fd: fd, daemon: daemon, buf: make([]byte, recvBufSize)}, nil
}

// Overruns returns how many times the kernel reported that it dropped
// records because this socket's buffer was full. Each report may stand for
// any number of records.
func (l *Listener) Overruns() uint64 { return l.overruns }

// Receive waits up to timeout for the next audit record and returns its
// message; it returns ErrTimeout if none came. Messages that are not
// records (acknowledgements, AUDIT_REPLACE probes sent to a daemon) are
// skipped. A zero timeout only takes what is already queued.
func (l *Listener) Receive(timeout time.Duration) (Message, error) {
	deadline := time.Now().Add(timeout)
	for {
		// Take what is queued first: under a stream of records, a poll
		// before each receive would double the system calls per record.
		m, err := l.recv()
		switch {
		case err == nil && m.Type >= unix.NLMSG_MIN_TYPE && m.Type != unix.AUDIT_REPLACE:
			return m, nil
		case err == nil:
			continue // not a record
		case !errors.Is(err, unix.EAGAIN):
			return Message{}, err
		}
		wait := time.Until(deadline)
		if wait < 0 {
			wait = 0
		}
		fds := []unix.PollFd{{Fd: int32(l.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(wait.Milliseconds()))
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return Message{}, kernelError("poll", 0, errnoOf(err))
		}
		if n == 0 {
			return Message{}, ErrTimeout
		}
	}
}

func (l *Listener) recv() (Message, error) {
	n, _, flags, from, err := unix.Recvmsg(l.fd, l.buf, nil, unix.MSG_DONTWAIT)
	switch {
	case errors.Is(err, unix.ENOBUFS):
		l.overruns++
		return Message{}, unix.EAGAIN
	case errors.Is(err, unix.EINTR):
		return Message{}, unix.EAGAIN
	case err != nil:
		return Message{}, err
	}
	if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
		return Message{}, unix.EAGAIN // not from the kernel
	}
	if flags&unix.MSG_TRUNC != 0 {
		return Message{}, errorf(ErrProtocol, "record truncated at %d bytes", len(l.buf))
	}
	m, err := parseRecordDatagram(l.buf[:n])
	if err != nil {
		return Message{}, err
	}
	m.Data = append([]byte(nil), m.Data...)
	return m, nil
}

// Next receives and parses the next record.
func (l *Listener) Next(timeout time.Duration) (Record, error) {
	m, err := l.Receive(timeout)
	if err != nil {
		return Record{}, err
	}
	return ParseRecord(m.Type, m.Data)
}

// Unregister ends a daemon registration (status pid back to 0) while
// keeping the socket open, so that records already queued on it can still
// be received. It does nothing for a multicast listener.
func (l *Listener) Unregister() error {
	if !l.daemon {
		return nil
	}
	c, err := Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	// Any socket of the registered process may unregister it.
	if err := c.SetStatus(Status{PID: 0}, MaskPID); err != nil {
		return fmt.Errorf("unregister audit daemon: %w", err)
	}
	l.daemon = false
	return nil
}

// Close unregisters a daemon listener and closes the socket.
func (l *Listener) Close() error {
	err := l.Unregister()
	if cerr := unix.Close(l.fd); err == nil {
		err = cerr
	}
	return err
}

// ReclaimDaemon clears the registration of an audit daemon that died
// without unregistering (the status pid stays set until the kernel next
// fails to deliver to it). It registers the calling process and unregisters
// it at once: before accepting a registration the kernel probes the
// registered daemon with an AUDIT_REPLACE message, and if that daemon's
// socket is gone it drops the old registration. A live daemon keeps its
// registration and ReclaimDaemon fails with ErrDaemonRegistered.
func ReclaimDaemon() error {
	l, err := ListenDaemon(0)
	if err != nil {
		return err
	}
	return l.Close()
}

// Queued returns the bytes the kernel has queued on this socket and not
// yet received (its row of /proc/net/netlink, found by the socket's port
// id): zero once everything delivered to it has been read.
func (l *Listener) Queued() (uint64, error) {
	sa, err := unix.Getsockname(l.fd)
	if err != nil {
		return 0, kernelError("getsockname", 0, errnoOf(err))
	}
	nl, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		return 0, errorf(ErrProtocol, "listener socket has address %T", sa)
	}
	socks, err := AuditSockets()
	if err != nil {
		return 0, err
	}
	for _, s := range socks {
		if s.PortID == nl.Pid {
			return s.Rmem, nil
		}
	}
	return 0, errorf(ErrProtocol, "listener port %d not in /proc/net/netlink", nl.Pid)
}
