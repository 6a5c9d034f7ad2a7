package auditnl

import (
	"errors"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// replyTimeout bounds the wait for the kernel's answer to one request. The
// kernel answers from a helper thread (audit_send_reply), normally within
// microseconds; a request that gets no answer in this time is reported as a
// protocol error rather than hanging the harness.
const replyTimeout = 5 * time.Second

// recvBufSize holds the largest message the kernel sends us: an
// audit_rule_data with its strings, or a record of at most
// MAX_AUDIT_MESSAGE_LENGTH (8970) bytes.
const recvBufSize = 1 << 16

// Conn is a netlink socket for audit requests: status, features and rules.
// It is safe for concurrent use; requests are serialised.
type Conn struct {
	mu       sync.Mutex
	fd       int
	seq      uint32
	enableOK bool
	buf      []byte
}

// Dial opens a request socket. It fails with ErrMissingConfig when the kernel
// has no audit support.
func Dial() (*Conn, error) {
	fd, err := openSocket(0)
	if err != nil {
		return nil, err
	}
	return newConn(fd, make([]byte, recvBufSize))
}

// newConn makes fd a request socket: blocking receives that give up after
// replyTimeout.
func newConn(fd int, buf []byte) (*Conn, error) {
	tv := unix.NsecToTimeval(replyTimeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(fd)
		return nil, kernelError("setsockopt SO_RCVTIMEO", 0, errnoOf(err))
	}
	return &Conn{fd: fd, seq: uint32(time.Now().UnixNano()), buf: buf}, nil
}

// openSocket creates and binds a NETLINK_AUDIT socket joined to groups.
func openSocket(groups uint32) (int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_AUDIT)
	if err != nil {
		return -1, kernelError("socket NETLINK_AUDIT", 0, errnoOf(err))
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return -1, kernelError("bind", 0, errnoOf(err))
	}
	return fd, nil
}

func errnoOf(err error) unix.Errno {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return unix.EIO
}

// Close releases the socket.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fd < 0 {
		return nil
	}
	err := unix.Close(c.fd)
	c.fd = -1
	return err
}

// replyShape says what a request is answered with besides the ACK.
type replyShape int

const (
	ackOnly  replyShape = iota // AUDIT_SET, AUDIT_ADD_RULE, AUDIT_DEL_RULE
	oneReply                   // AUDIT_GET, AUDIT_GET_FEATURE
	multi                      // AUDIT_LIST_RULES: NLM_F_MULTI messages, then NLMSG_DONE
)

// request sends one message with NLM_F_ACK and collects the replies that
// carry its sequence number until the exchange is complete. The kernel
// acknowledges before it answers (audit_receive acks under the control
// mutex; the answer comes from a helper thread that waits for that mutex),
// but this does not rely on the order.
func (c *Conn) request(typ uint16, payload []byte, shape replyShape) ([]Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fd < 0 {
		return nil, errorf(ErrInvalid, "%s on a closed connection", msgName(typ))
	}
	c.seq++
	seq := c.seq
	req := appendMessage(nil, typ, unix.NLM_F_REQUEST|unix.NLM_F_ACK, seq, payload)
	if err := unix.Sendto(c.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, kernelError("send "+msgName(typ), typ, errnoOf(err))
	}
	var replies []Message
	acked, done := false, false
	for {
		complete := acked && (shape == ackOnly ||
			(shape == oneReply && len(replies) == 1) ||
			(shape == multi && done))
		if complete {
			return replies, nil
		}
		msgs, err := c.receive(typ)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if m.Seq != seq {
				continue // a late answer to an abandoned request
			}
			switch m.Type {
			case unix.NLMSG_ERROR:
				errno, _, err := ackErrno(m)
				if err != nil {
					return nil, err
				}
				if errno < 0 {
					return nil, kernelError(msgName(typ), typ, unix.Errno(-errno))
				}
				acked = true
			case unix.NLMSG_DONE:
				done = true
			default:
				// Copy: the receive buffer is reused.
				m.Data = append([]byte(nil), m.Data...)
				replies = append(replies, m)
			}
		}
	}
}

func (c *Conn) receive(typ uint16) ([]Message, error) {
	for {
		n, _, flags, from, err := unix.Recvmsg(c.fd, c.buf, nil, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.EAGAIN) {
			return nil, errorf(ErrProtocol, "no answer to %s within %v", msgName(typ), replyTimeout)
		}
		if err != nil {
			return nil, kernelError("recv "+msgName(typ), typ, errnoOf(err))
		}
		if flags&unix.MSG_TRUNC != 0 {
			return nil, errorf(ErrProtocol, "answer to %s truncated at %d bytes", msgName(typ), len(c.buf))
		}
		if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
			continue // not from the kernel
		}
		return parseMessages(c.buf[:n])
	}
}
