package perfevent

import (
	"encoding/binary"
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

// Counter counts one event in the tasks of a Task.
type Counter struct {
	ev Event
	fd int
}

// OpenCounter opens a counting event. With t.Inherit the counts of the
// task's future children are included once they exit.
func OpenCounter(ev Event, t Task) (*Counter, error) {
	attr := newAttr(ev, t)
	attr.Read_format = countFormat
	fd, err := open(ev, &attr, t.Pid, -1, -1)
	if err != nil {
		return nil, err
	}
	return &Counter{ev: ev, fd: fd}, nil
}

// Enable starts counting, in inherited copies too.
func (c *Counter) Enable() error {
	return ioctl(c.fd, c.ev, "PERF_EVENT_IOC_ENABLE", unix.PERF_EVENT_IOC_ENABLE, 0)
}

// Disable stops counting, in inherited copies too.
func (c *Counter) Disable() error {
	return ioctl(c.fd, c.ev, "PERF_EVENT_IOC_DISABLE", unix.PERF_EVENT_IOC_DISABLE, 0)
}

// Reset sets the count to zero; the times keep running.
func (c *Counter) Reset() error {
	return ioctl(c.fd, c.ev, "PERF_EVENT_IOC_RESET", unix.PERF_EVENT_IOC_RESET, 0)
}

// Read returns the count so far, including the inherited copies of tasks
// that have exited.
func (c *Counter) Read() (Count, error) {
	var b [24]byte
	if err := readFull(c.fd, b[:], c.ev); err != nil {
		return Count{}, err
	}
	return Count{
		Value:   binary.LittleEndian.Uint64(b[0:]),
		Enabled: binary.LittleEndian.Uint64(b[8:]),
		Running: binary.LittleEndian.Uint64(b[16:]),
	}, nil
}

// FD is the perf event's file descriptor, owned by the Counter.
func (c *Counter) FD() int { return c.fd }

// Close releases the event.
func (c *Counter) Close() error { return unix.Close(c.fd) }

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
