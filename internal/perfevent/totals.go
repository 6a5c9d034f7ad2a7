package perfevent

import (
	"encoding/binary"
	"math"
	"time"

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
	// Implausible counts the rings of a cgroup event whose times the
	// kernel got wrong (see Totals); their times are left out of Enabled
	// and Running, which then undercount.
	Implausible int
}

// Totals reads the event's count, times and lost samples, including
// inherited copies in tasks that have exited.
//
// A cgroup event's times come from the cgroup's own clock on each CPU,
// and Linux 6.18 sometimes reports for them times of the order of the
// machine's uptime (TestCgroupCountExact logs them; the cause looks like
// the clock read without its per-CPU offset). A ring cannot have been
// enabled for longer than the sampler has existed, so such times are
// dropped and counted in Implausible; Value, which the event counts
// itself, is kept.
func (s *Sampler) Totals() (Totals, error) {
	tot := Totals{LostKnown: s.lostKnown}
	b := make([]byte, 32)
	if !s.lostKnown {
		b = b[:24]
	}
	limit := uint64(math.MaxUint64)
	if s.cgroup {
		limit = uint64(time.Since(s.opened))
	}
	for _, r := range s.rings {
		if err := readFull(r.fd, b, s.ev); err != nil {
			return Totals{}, err
		}
		tot.add(b, s.lostKnown, limit)
	}
	return tot, nil
}

// add adds one ring's read_format values b to tot, and its times only if
// neither exceeds limit ns.
func (tot *Totals) add(b []byte, lostKnown bool, limit uint64) {
	tot.Value += binary.LittleEndian.Uint64(b)
	enabled, running := binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:])
	if enabled > limit || running > limit {
		tot.Implausible++
	} else {
		tot.Enabled += enabled
		tot.Running += running
	}
	if lostKnown {
		tot.Lost += binary.LittleEndian.Uint64(b[24:])
	}
}
