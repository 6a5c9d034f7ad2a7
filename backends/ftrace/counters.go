package ftrace

import (
	"context"
	"errors"
	"fmt"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/tracefs"
)

// tally is what a ring buffer's counters say about the events written to
// it. The kernel keeps, per CPU, every event it committed in exactly one
// of entries (unread), overrun (overwritten by the writer wrapping around,
// a page at a time) and read events; events it never committed are
// dropped (buffer full with options/overwrite off) or commit overrun
// (nested writers filled the buffer first). All of them count events
// exactly, whatever the buffer size.
type tally struct {
	written uint64 // entries + overrun + read events
	overrun uint64
	refused uint64 // dropped events + commit overrun
}

func tallyOf(s tracefs.Stats) tally {
	return tally{written: s.Entries + s.Overrun + s.ReadEvents, overrun: s.Overrun, refused: s.DroppedEvents + s.CommitOverrun}
}

func (t tally) plus(o tally) tally {
	return tally{t.written + o.written, t.overrun + o.overrun, t.refused + o.refused}
}

func (t tally) minus(o tally) tally {
	return tally{t.written - o.written, t.overrun - o.overrun, t.refused - o.refused}
}

// counted is what tr's buffer counters say since Setup: those shown now
// plus those folded before a reset.
func (tr *trace) counted() (tally, error) {
	st, err := tr.in.Stats()
	if err != nil {
		return tally{}, err
	}
	return tr.folded.plus(tallyOf(st)), nil
}

// Counters reports, per event since Setup:
//   - count mode: seen is every event the buffer took in, whether still
//     there, read or overwritten since (the count survives the data), and
//     lost the events it refused;
//   - stream mode: seen is the records the reader received, and lost every
//     event that never reached it: overwritten before it was read, or
//     refused.
//
// Either way seen + lost is every event the hook fired for.
func (b *Backend) Counters(context.Context) (map[event.Event]backends.Counter, error) {
	if b.fs == nil {
		return nil, errors.New("counters before setup")
	}
	out := map[event.Event]backends.Counter{}
	for _, tr := range b.traces {
		t, err := tr.counted()
		if err != nil {
			return nil, fmt.Errorf("counters of %s: %w", tr.ev, err)
		}
		c := backends.Counter{Seen: t.written, Lost: t.refused}
		if b.mode == backends.Stream {
			c = backends.Counter{Seen: tr.seen, Lost: t.overrun + t.refused}
			if tr.stream != nil {
				c.Seen += tr.stream.seen.Load()
			}
		}
		out[tr.ev] = c
	}
	return out, nil
}
