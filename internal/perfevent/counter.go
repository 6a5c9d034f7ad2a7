package perfevent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"golang.org/x/sys/unix"
)

// countFormat is the read_format of every counting event: the value with the
// times that let a caller undo multiplexing.
const countFormat = unix.PERF_FORMAT_TOTAL_TIME_ENABLED | unix.PERF_FORMAT_TOTAL_TIME_RUNNING

// Count is one counter's value with the time the event was enabled and the
// time it was really on a counter. They differ when the kernel multiplexed
// more events than the PMU has counters.
type Count struct {
	Value   uint64
	Enabled uint64 // ns
	Running uint64 // ns
}

// Multiplexed reports whether the event shared its counter, making Value an
// underestimate that Scaled corrects.
func (c Count) Multiplexed() bool { return c.Running < c.Enabled }

// Scaled is the value extrapolated to the whole enabled time,
// Value * Enabled / Running, the estimate perf stat prints. It is 0 if the
// event never ran.
func (c Count) Scaled() uint64 {
	if c.Running == 0 {
		return 0
	}
	hi, lo := bits.Mul64(c.Value, c.Enabled)
	if hi >= c.Running {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, c.Running)
	return q
}

// Counter counts one event in the tasks of a Task: one perf event, or one
// per CPU for a cgroup, whose counts it adds up.
type Counter struct {
	ev  Event
	fds []int
}

// OpenCounter opens a counting event. With t.Inherit the counts of the
// task's future children are included once they exit.
func OpenCounter(ev Event, t Task) (*Counter, error) {
	attr := newAttr(ev, t)
	attr.Read_format = countFormat
	sc, err := openScope("open counter", ev, t, false)
	if err != nil {
		return nil, err
	}
	defer sc.close()
	c := &Counter{ev: ev}
	for _, p := range sc.places {
		fd, err := open(ev, &attr, p, -1)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.fds = append(c.fds, fd)
	}
	return c, nil
}

func (c *Counter) ioctl(name string, req uint) error {
	for _, fd := range c.fds {
		if err := ioctl(fd, c.ev, name, req, 0); err != nil {
			return err
		}
	}
	return nil
}

// Enable starts counting, in inherited copies too.
func (c *Counter) Enable() error {
	return c.ioctl("PERF_EVENT_IOC_ENABLE", unix.PERF_EVENT_IOC_ENABLE)
}

// Disable stops counting, in inherited copies too.
func (c *Counter) Disable() error {
	return c.ioctl("PERF_EVENT_IOC_DISABLE", unix.PERF_EVENT_IOC_DISABLE)
}

// Reset sets the count to zero; the times keep running.
func (c *Counter) Reset() error {
	return c.ioctl("PERF_EVENT_IOC_RESET", unix.PERF_EVENT_IOC_RESET)
}

// Read returns the count so far, including the inherited copies of tasks
// that have exited. For a cgroup it is the sum over CPUs, times included:
// Scaled then extrapolates with the CPUs' combined times.
func (c *Counter) Read() (Count, error) {
	var sum Count
	var b [24]byte
	for _, fd := range c.fds {
		if err := readFull(fd, b[:], c.ev); err != nil {
			return Count{}, err
		}
		sum.Value += binary.LittleEndian.Uint64(b[0:])
		sum.Enabled += binary.LittleEndian.Uint64(b[8:])
		sum.Running += binary.LittleEndian.Uint64(b[16:])
	}
	return sum, nil
}

// FDs are the perf event file descriptors, one per CPU for a cgroup, owned
// by the Counter.
func (c *Counter) FDs() []int { return append([]int(nil), c.fds...) }

// Close releases the events.
func (c *Counter) Close() error {
	var errs []error
	for _, fd := range c.fds {
		errs = append(errs, unix.Close(fd))
	}
	c.fds = nil
	return errors.Join(errs...)
}

// readFull reads exactly len(b) bytes of read_format from a perf event.
func readFull(fd int, b []byte, ev Event) error {
	n, err := unix.Read(fd, b)
	if err != nil {
		return &Error{Op: "read", Event: ev.Name, Err: err}
	}
	if n != len(b) {
		return &Error{Op: "read", Event: ev.Name, Err: fmt.Errorf("got %d bytes of read_format, want %d", n, len(b))}
	}
	return nil
}
