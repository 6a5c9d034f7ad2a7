package perfevent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Group counts several events together: the kernel schedules them onto the
// PMU all at once or not at all, so their ratios (instructions per cycle,
// miss rates) hold even when multiplexed, and one read returns them all.
type Group struct {
	events []Event
	fds    []int // fds[0] is the leader
}

// OpenGroup opens events as one group following t; the first is the leader.
// The perf_event_open(2) man page warns that inherit does not work with
// PERF_FORMAT_GROUP on old kernels (EINVAL, classified [ErrInvalid]); 6.1 and
// 6.18 accept it and a read includes the exited children.
func OpenGroup(events []Event, t Task) (*Group, error) {
	if len(events) == 0 {
		return nil, &Error{Op: "open group", Class: ErrInvalid, Err: errors.New("no events")}
	}
	g := &Group{events: events}
	for i, ev := range events {
		member := t
		if i > 0 {
			// Members follow the leader's enable state.
			member.Disabled, member.EnableOnExec = false, false
		}
		attr := newAttr(ev, member)
		attr.Read_format = countFormat | unix.PERF_FORMAT_GROUP
		leader := -1
		if i > 0 {
			leader = g.fds[0]
		}
		fd, err := open(ev, &attr, t.Pid, -1, leader)
		if err != nil {
			g.Close()
			return nil, err
		}
		g.fds = append(g.fds, fd)
	}
	return g, nil
}

func (g *Group) String() string {
	names := make([]string, len(g.events))
	for i, ev := range g.events {
		names[i] = ev.Name
	}
	return "{" + strings.Join(names, ",") + "}"
}

func (g *Group) ioctl(name string, req uint) error {
	return ioctl(g.fds[0], Event{Name: g.String()}, name, req, unix.PERF_IOC_FLAG_GROUP)
}

// Enable starts every event of the group.
func (g *Group) Enable() error { return g.ioctl("PERF_EVENT_IOC_ENABLE", unix.PERF_EVENT_IOC_ENABLE) }

// Disable stops every event of the group.
func (g *Group) Disable() error {
	return g.ioctl("PERF_EVENT_IOC_DISABLE", unix.PERF_EVENT_IOC_DISABLE)
}

// Reset zeroes every event of the group.
func (g *Group) Reset() error { return g.ioctl("PERF_EVENT_IOC_RESET", unix.PERF_EVENT_IOC_RESET) }

// Read returns one Count per event, in the order given to OpenGroup; all
// share the group's enabled and running times.
func (g *Group) Read() ([]Count, error) {
	b := make([]byte, 8*(3+len(g.fds)))
	if err := readFull(g.fds[0], b, Event{Name: g.String()}); err != nil {
		return nil, err
	}
	if nr := binary.LittleEndian.Uint64(b); nr != uint64(len(g.fds)) {
		return nil, &Error{Op: "read", Event: g.String(), Err: fmt.Errorf("group read gives %d values, want %d", nr, len(g.fds))}
	}
	enabled, running := binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:])
	counts := make([]Count, len(g.fds))
	for i := range counts {
		counts[i] = Count{Value: binary.LittleEndian.Uint64(b[24+8*i:]), Enabled: enabled, Running: running}
	}
	return counts, nil
}

// FD is the group leader's file descriptor, owned by the Group.
func (g *Group) FD() int { return g.fds[0] }

// Close releases every event of the group.
func (g *Group) Close() error {
	var errs []error
	for _, fd := range g.fds {
		errs = append(errs, unix.Close(fd))
	}
	return errors.Join(errs...)
}
