package tracefs

import (
	"os"
	"sort"
	"strconv"
	"strings"
)

// Stats are a ring buffer's counters (per_cpu/cpuN/stats). Every event
// committed to the buffer is, at any moment, in exactly one of Entries,
// Overrun or ReadEvents; events that never made it in are DroppedEvents or
// CommitOverrun.
type Stats struct {
	// Entries are events in the buffer, neither read nor overwritten.
	Entries uint64
	// Overrun are events lost because the writer wrapped around and
	// overwrote them (options/overwrite on, the default): counted a whole
	// page of events at a time.
	Overrun uint64
	// CommitOverrun are events lost because nested writers (interrupts)
	// filled the whole buffer before the outer write committed.
	CommitOverrun uint64
	// Bytes of unread events.
	Bytes uint64
	// OldestEventTS and NowTS are trace clock readings: nanoseconds for the
	// nanosecond clocks (local, global, mono, boot…; the kernel prints
	// microseconds), raw counts for counter and x86-tsc.
	OldestEventTS uint64
	NowTS         uint64
	// DroppedEvents are events refused because the buffer was full
	// (options/overwrite off).
	DroppedEvents uint64
	// ReadEvents are events consumed by readers (trace_pipe, trace_pipe_raw).
	ReadEvents uint64
}

// CPUStats are one CPU's ring buffer counters.
type CPUStats struct {
	CPU int
	Stats
}

// Lost is every event the buffer lost: overwritten, dropped or lost to
// commit overrun.
func (s Stats) Lost() uint64 { return s.Overrun + s.CommitOverrun + s.DroppedEvents }

// Add sums counters; timestamps keep the oldest event and the latest now.
func (s Stats) Add(o Stats) Stats {
	s.Entries += o.Entries
	s.Overrun += o.Overrun
	s.CommitOverrun += o.CommitOverrun
	s.Bytes += o.Bytes
	s.DroppedEvents += o.DroppedEvents
	s.ReadEvents += o.ReadEvents
	if o.OldestEventTS != 0 && (s.OldestEventTS == 0 || o.OldestEventTS < s.OldestEventTS) {
		s.OldestEventTS = o.OldestEventTS
	}
	s.NowTS = max(s.NowTS, o.NowTS)
	return s
}

// ParseStats parses a per_cpu/cpuN/stats file.
func ParseStats(b []byte) (Stats, error) {
	var s Stats
	fields := map[string]*uint64{
		"entries":         &s.Entries,
		"overrun":         &s.Overrun,
		"commit overrun":  &s.CommitOverrun,
		"bytes":           &s.Bytes,
		"oldest event ts": &s.OldestEventTS,
		"now ts":          &s.NowTS,
		"dropped events":  &s.DroppedEvents,
		"read events":     &s.ReadEvents,
	}
	found := 0
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		p := fields[strings.TrimSpace(k)]
		if p == nil {
			continue // a counter added by a later kernel
		}
		n, err := parseStatValue(strings.TrimSpace(v))
		if err != nil {
			return s, badInput("parse stats", "", "%s: %v", k, err)
		}
		*p = n
		found++
	}
	if found < 2 { // entries and overrun exist since the file does (2.6.31)
		return s, badInput("parse stats", "", "no counters")
	}
	return s, nil
}

// parseStatValue reads an integer, or a "seconds.microseconds" timestamp
// as nanoseconds.
func parseStatValue(v string) (uint64, error) {
	sec, usec, ok := strings.Cut(v, ".")
	if !ok {
		return strconv.ParseUint(v, 10, 64)
	}
	s, err := strconv.ParseUint(sec, 10, 64)
	if err != nil {
		return 0, err
	}
	u, err := strconv.ParseUint(usec, 10, 64)
	if err != nil || len(usec) != 6 {
		return 0, strconv.ErrSyntax
	}
	return s*1e9 + u*1e3, nil
}

// CPUStats reads every CPU's buffer counters, in CPU order.
func (in *Instance) CPUStats() ([]CPUStats, error) {
	cpus, err := in.cpus()
	if err != nil {
		return nil, err
	}
	out := make([]CPUStats, 0, len(cpus))
	for _, cpu := range cpus {
		p := in.path("per_cpu", "cpu"+strconv.Itoa(cpu), "stats")
		b, err := readFile(p)
		if err != nil {
			return nil, err
		}
		s, err := ParseStats(b)
		if err != nil {
			err.(*Error).Path = p
			return nil, err
		}
		out = append(out, CPUStats{CPU: cpu, Stats: s})
	}
	return out, nil
}

// Stats sums the counters over CPUs.
func (in *Instance) Stats() (Stats, error) {
	per, err := in.CPUStats()
	var sum Stats
	for _, s := range per {
		sum = sum.Add(s.Stats)
	}
	return sum, err
}

// cpus lists the CPUs that have a buffer (per_cpu/cpuN: the possible CPUs).
func (in *Instance) cpus() ([]int, error) {
	p := in.path("per_cpu")
	ents, err := os.ReadDir(p)
	if err != nil {
		return nil, wrap("list", p, err)
	}
	var cpus []int
	for _, e := range ents {
		if n, err := strconv.Atoi(strings.TrimPrefix(e.Name(), "cpu")); err == nil && strings.HasPrefix(e.Name(), "cpu") {
			cpus = append(cpus, n)
		}
	}
	if len(cpus) == 0 {
		return nil, badInput("list", p, "no cpuN directories")
	}
	sort.Ints(cpus)
	return cpus, nil
}
