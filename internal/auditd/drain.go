package auditd

import (
	"fmt"
	"time"

	"github.com/tracebench/tracebench/internal/auditnl"
)

// Socket returns the kernel's view of auditd's netlink socket: what it has
// not yet read, and how often the kernel found it full (Drops). auditd's
// socket is the first netlink socket of its process, so its port id is the
// daemon's pid.
func (d *Daemon) Socket() (auditnl.SocketStat, error) {
	socks, err := auditnl.AuditSockets()
	if err != nil {
		return auditnl.SocketStat{}, err
	}
	for _, s := range socks {
		if s.PortID == uint32(d.id.PID) {
			return s, nil
		}
	}
	return auditnl.SocketStat{}, fmt.Errorf("auditd %d has no audit netlink socket with port id %d", d.id.PID, d.id.PID)
}

// drainPolls is how many consecutive empty observations WaitDrained needs:
// kauditd holds a record for a moment between taking it off the backlog
// and queueing it on the socket.
const drainPolls = 5

// WaitDrained waits until auditd has read every record the kernel queued:
// the kernel's backlog and auditd's socket are both empty for several
// polls in a row. Stop then writes whatever auditd has read to the log.
// Call it after the workload has exited.
func (d *Daemon) WaitDrained(timeout time.Duration) error {
	c, err := auditnl.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(timeout)
	for empty := 0; empty < drainPolls; {
		st, err := c.Status()
		if err != nil {
			return err
		}
		sock, err := d.Socket()
		if err != nil {
			return err
		}
		if st.Backlog == 0 && sock.Rmem == 0 {
			empty++
		} else {
			empty = 0
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("auditd not drained after %v: kernel backlog %d, %d bytes unread", timeout, st.Backlog, sock.Rmem)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}
