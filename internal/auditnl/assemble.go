package auditnl

import (
	"sort"
	"time"
)

// Assembler groups records into events. Records of one event share a
// timestamp and serial; records of different events may interleave (tasks
// on other CPUs). A syscall event ends with its EOE record. Events that
// never get one — kernel records outside a syscall, or events whose EOE was
// dropped — are handed out once no record has arrived for them for the
// timeout (auditd's end_of_event_timeout is 2 s), or by Flush.
type Assembler struct {
	timeout time.Duration
	pending map[eventID]*pendingEvent
}

type pendingEvent struct {
	ev   Event
	last time.Time // arrival of the newest record
}

// NewAssembler returns an Assembler that expires incomplete events after
// timeout without new records.
func NewAssembler(timeout time.Duration) *Assembler {
	return &Assembler{timeout: timeout, pending: map[eventID]*pendingEvent{}}
}

// Add files a record that arrived at now. It returns the event the record
// completes (an EOE record), or nil.
func (a *Assembler) Add(r Record, now time.Time) *Event {
	id := r.id()
	p := a.pending[id]
	if p == nil {
		p = &pendingEvent{ev: Event{Sec: r.Sec, Milli: r.Milli, Serial: r.Serial}}
		a.pending[id] = p
	}
	p.ev.Records = append(p.ev.Records, r)
	p.last = now
	if r.Type != TypeEOE {
		return nil
	}
	delete(a.pending, id)
	return &p.ev
}

// Expire returns the incomplete events that got no record for the timeout
// before now, oldest first, and forgets them.
func (a *Assembler) Expire(now time.Time) []Event {
	return a.take(func(p *pendingEvent) bool { return now.Sub(p.last) >= a.timeout })
}

// Flush returns every incomplete event, oldest first, and forgets them.
func (a *Assembler) Flush() []Event {
	return a.take(func(*pendingEvent) bool { return true })
}

// Pending returns the number of incomplete events held.
func (a *Assembler) Pending() int { return len(a.pending) }

func (a *Assembler) take(match func(*pendingEvent) bool) []Event {
	var out []Event
	for id, p := range a.pending {
		if match(p) {
			out = append(out, p.ev)
			delete(a.pending, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sec != out[j].Sec {
			return out[i].Sec < out[j].Sec
		}
		if out[i].Milli != out[j].Milli {
			return out[i].Milli < out[j].Milli
		}
		return out[i].Serial < out[j].Serial
	})
	return out
}
