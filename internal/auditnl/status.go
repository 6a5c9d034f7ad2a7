package auditnl

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// Status is the kernel's struct audit_status. Lost, Backlog, FeatureBitmap
// and BacklogWaitTimeActual are read-only here.
type Status struct {
	// Enabled is 0 (off), 1 (on) or 2 (on and locked until reboot).
	Enabled uint32
	// Failure is what the kernel does when it cannot log: 0 silent,
	// 1 printk (the default), 2 panic.
	Failure uint32
	// PID is the registered audit daemon's process id, 0 if none.
	PID uint32
	// RateLimit is the maximum records per second, 0 for no limit.
	RateLimit uint32
	// BacklogLimit is the number of records the kernel queues for delivery
	// before it makes the producer wait (BacklogWaitTime) or drops, 0 for no
	// limit. The default is 64.
	BacklogLimit uint32
	// Lost counts records the kernel dropped since boot (or since a reset):
	// backlog overflow, rate limit, allocation failures, and records held
	// for a vanished daemon. It is a 32-bit counter that wraps.
	Lost uint32
	// Backlog is the number of records queued right now.
	Backlog uint32
	// FeatureBitmap lists kernel audit features (AUDIT_FEATURE_BITMAP_*).
	FeatureBitmap uint32
	// BacklogWaitTime is how long, in jiffies, a producer waits for room in
	// the backlog before the record is dropped and counted in Lost; 0 drops
	// at once. The default is 60*HZ. Linux 3.14+.
	BacklogWaitTime uint32
	// BacklogWaitTimeActual accumulates the jiffies producers spent waiting.
	// Linux 5.9+; zero on older kernels.
	BacklogWaitTimeActual uint32
}

// StatusMask selects the Status fields SetStatus changes.
type StatusMask uint32

// Fields of Status that SetStatus can change (AUDIT_STATUS_*).
const (
	MaskEnabled         StatusMask = unix.AUDIT_STATUS_ENABLED
	MaskFailure         StatusMask = unix.AUDIT_STATUS_FAILURE
	MaskPID             StatusMask = unix.AUDIT_STATUS_PID
	MaskRateLimit       StatusMask = unix.AUDIT_STATUS_RATE_LIMIT
	MaskBacklogLimit    StatusMask = unix.AUDIT_STATUS_BACKLOG_LIMIT
	MaskBacklogWaitTime StatusMask = unix.AUDIT_STATUS_BACKLOG_WAIT_TIME
)

// statusSize is sizeof(struct audit_status) on Linux 5.9+. Older kernels
// answer with fewer fields; the missing ones read as zero.
const statusSize = 11 * 4

func (s Status) marshal(mask StatusMask) []byte {
	b := make([]byte, 0, statusSize)
	for _, v := range []uint32{uint32(mask), s.Enabled, s.Failure, s.PID, s.RateLimit,
		s.BacklogLimit, s.Lost, s.Backlog, s.FeatureBitmap, s.BacklogWaitTime, s.BacklogWaitTimeActual} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

func unmarshalStatus(b []byte) (Status, error) {
	if len(b) < 9*4 {
		return Status{}, errorf(ErrProtocol, "audit_status of %d bytes, want at least 36", len(b))
	}
	var v [11]uint32
	for i := range v {
		if 4*i+4 <= len(b) {
			v[i] = binary.NativeEndian.Uint32(b[4*i:])
		}
	}
	return Status{
		Enabled: v[1], Failure: v[2], PID: v[3], RateLimit: v[4], BacklogLimit: v[5],
		Lost: v[6], Backlog: v[7], FeatureBitmap: v[8], BacklogWaitTime: v[9],
		BacklogWaitTimeActual: v[10],
	}, nil
}

// Status reads the kernel's audit status (AUDIT_GET).
func (c *Conn) Status() (Status, error) {
	replies, err := c.request(unix.AUDIT_GET, nil, oneReply)
	if err != nil {
		return Status{}, err
	}
	if replies[0].Type != unix.AUDIT_GET {
		return Status{}, errorf(ErrProtocol, "AUDIT_GET answered with message type %d", replies[0].Type)
	}
	return unmarshalStatus(replies[0].Data)
}

// PermitEnable allows SetStatus on this connection to set Enabled to 1.
// Call it only in a throwaway guest kernel: once audit has been enabled,
// every process created afterwards is audited on each syscall (the kernel's
// audit_ever_enabled never goes back to false) until reboot.
func (c *Conn) PermitEnable() {
	c.mu.Lock()
	c.enableOK = true
	c.mu.Unlock()
}

// SetStatus changes the fields of s selected by mask (AUDIT_SET). The kernel
// applies them in the order enabled, failure, pid, rate limit, backlog
// limit, backlog wait time and stops at the first failure.
//
// Setting Enabled to 1 needs PermitEnable; setting it to 2 (locked) is
// refused, as no test could undo it. Setting PID registers or unregisters
// the calling process as the audit daemon, which is only meaningful on the
// socket that will receive the records: use ListenDaemon for that.
func (c *Conn) SetStatus(s Status, mask StatusMask) error {
	if mask&MaskEnabled != 0 {
		switch {
		case s.Enabled > 1:
			return errorf(ErrInvalid, "enabled=%d would lock the audit configuration until reboot", s.Enabled)
		case s.Enabled == 1 && !c.enablePermitted():
			return ErrEnableNotPermitted
		}
	}
	if mask&^(MaskEnabled|MaskFailure|MaskPID|MaskRateLimit|MaskBacklogLimit|MaskBacklogWaitTime) != 0 {
		return errorf(ErrInvalid, "status mask %#x has bits SetStatus does not set", uint32(mask))
	}
	_, err := c.request(unix.AUDIT_SET, s.marshal(mask), ackOnly)
	if err != nil {
		return fmt.Errorf("set audit status (mask %#x): %w", uint32(mask), err)
	}
	return nil
}

func (c *Conn) enablePermitted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enableOK
}
