package auditnl

// CountKey is what Counter counts by: the rule key and the syscall number.
type CountKey struct {
	Key     string
	Syscall int
}

// Counter counts syscall events per rule key and syscall number, and keeps
// the evidence of loss that events carry.
type Counter struct {
	src    Source
	counts map[CountKey]uint64
	// Incomplete counts counted events that lack records (MissingRecords > 0).
	Incomplete uint64
	// MissingRecords sums MissingRecords over counted events.
	MissingRecords uint64
	// Orphans counts events without a SYSCALL record that hold records a
	// syscall event has (PROCTITLE, EOE): the SYSCALL record did not reach
	// this receiver although the kernel emitted it (when it drops a SYSCALL
	// record it emits nothing more for the event). They point at a
	// receiver overrun or at kauditd dropping a record after the fact.
	Orphans uint64
	// Malformed counts events whose SYSCALL record did not parse.
	Malformed uint64
}

// NewCounter returns an empty Counter for events read from src.
func NewCounter(src Source) *Counter { return &Counter{src: src, counts: map[CountKey]uint64{}} }

// Add counts e once under each key of its SYSCALL record, and returns
// whether it was a syscall event.
func (c *Counter) Add(e *Event) bool {
	s, ok, err := e.Syscall()
	switch {
	case err != nil:
		c.Malformed++
		return false
	case !ok:
		if e.Has(TypeEOE) || e.Has(TypeProctitle) {
			c.Orphans++
		}
		return false
	}
	keys := Keys(s.Key)
	if len(keys) == 0 {
		keys = []string{""}
	}
	for _, k := range keys {
		c.counts[CountKey{k, s.Number}]++
	}
	if m := e.MissingRecords(c.src); m > 0 {
		c.Incomplete++
		c.MissingRecords += uint64(m)
	}
	return true
}

// Count returns the number of events counted for key and syscall number nr.
func (c *Counter) Count(key string, nr int) uint64 { return c.counts[CountKey{key, nr}] }

// Counts returns a copy of every count.
func (c *Counter) Counts() map[CountKey]uint64 {
	out := make(map[CountKey]uint64, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}
