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
// For a cgroup it is one group per CPU, whose counts it adds up.
type Group struct {
	events []Event
	fds    [][]int // per placement; [0] is the leader
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
	sc, err := openScope("open group", events[0], t, false)
	if err != nil {
		return nil, err
	}
	defer sc.close()
	for _, p := range sc.places {
		var fds []int
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
				leader = fds[0]
			}
			fd, err := open(ev, &attr, p, leader)
			if err != nil {
				g.fds = append(g.fds, fds)
				g.Close()
				return nil, err
			}
			fds = append(fds, fd)
		}
		g.fds = append(g.fds, fds)
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
	for _, fds := range g.fds {
		if err := ioctl(fds[0], Event{Name: g.String()}, name, req, unix.PERF_IOC_FLAG_GROUP); err != nil {
			return err
		}
	}
	return nil
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
// share the group's enabled and running times (for a cgroup, the sums over
// CPUs).
func (g *Group) Read() ([]Count, error) {
	counts := make([]Count, len(g.events))
	b := make([]byte, 8*(3+len(g.events)))
	for _, fds := range g.fds {
		if err := readFull(fds[0], b, Event{Name: g.String()}); err != nil {
			return nil, err
		}
		if nr := binary.LittleEndian.Uint64(b); nr != uint64(len(fds)) {
			return nil, &Error{Op: "read", Event: g.String(), Err: fmt.Errorf("group read gives %d values, want %d", nr, len(fds))}
		}
		enabled, running := binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:])
		for i := range counts {
			counts[i].Value += binary.LittleEndian.Uint64(b[24+8*i:])
			counts[i].Enabled += enabled
			counts[i].Running += running
		}
	}
	return counts, nil
}

// FDs are the group leaders' file descriptors, one per CPU for a cgroup,
// owned by the Group.
func (g *Group) FDs() []int {
	out := make([]int, len(g.fds))
	for i, fds := range g.fds {
		out[i] = fds[0]
	}
	return out
}

// Close releases every event of the group.
func (g *Group) Close() error {
	var errs []error
	for _, fds := range g.fds {
		for _, fd := range fds {
			errs = append(errs, unix.Close(fd))
		}
	}
	g.fds = nil
	return errors.Join(errs...)
}
