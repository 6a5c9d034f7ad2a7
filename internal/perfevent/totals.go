package perfevent

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// totalsFormat is the read_format of a sampler without PERF_FORMAT_LOST:
// the count and the times that say how long the event could sample.
const totalsFormat = unix.PERF_FORMAT_TOTAL_TIME_ENABLED | unix.PERF_FORMAT_TOTAL_TIME_RUNNING

// Totals is what the kernel counted for a sampler, over all its rings.
type Totals struct {
	// Value is the event's count: events for a hardware event, ns for
	// cpu-clock and task-clock.
	Value uint64
	// Enabled and Running are the ns the event was enabled and really on
	// a counter (summed over the rings); Running is the time its samples
	// come from. For a cgroup, both run only while a task of the cgroup
	// runs on that CPU.
	Enabled, Running uint64
	// Lost is every sample dropped because a ring was full
	// (PERF_FORMAT_LOST, Linux 6.0+; LostKnown is false before). It
	// includes drops that no PERF_RECORD_LOST reports: the kernel writes
	// that record only when a later record finds room, so drops at the
	// end of a run, or while nobody reads, never show in the ring.
	Lost      uint64
	LostKnown bool
}

// Totals reads the event's count, times and lost samples, including
// inherited copies in tasks that have exited.
func (s *Sampler) Totals() (Totals, error) {
	tot := Totals{LostKnown: s.lostKnown}
	b := make([]byte, 32)
	if !s.lostKnown {
		b = b[:24]
	}
	for _, r := range s.rings {
		if err := readFull(r.fd, b, s.ev); err != nil {
			return Totals{}, err
		}
		tot.Value += binary.LittleEndian.Uint64(b)
		tot.Enabled += binary.LittleEndian.Uint64(b[8:])
		tot.Running += binary.LittleEndian.Uint64(b[16:])
		if s.lostKnown {
			tot.Lost += binary.LittleEndian.Uint64(b[24:])
		}
	}
	return tot, nil
}
