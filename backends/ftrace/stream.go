package ftrace

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/tracebench/tracebench/internal/tracefs"
)

// pollPeriod bounds how long a record waits in the buffer: the kernel
// wakes a poller of trace_pipe_raw only once a CPU's buffer is filled to
// buffer_percent (50% by default, Linux 5.1+).
const pollPeriod = 20 * time.Millisecond

// stream reads an instance's buffers in a goroutine while its hook is
// attached and counts the records of one event type. Reading consumes: the
// kernel counts what was read in the buffer's "read events".
type stream struct {
	rd   *tracefs.Reader
	id   uint16
	seen atomic.Uint64
	err  error // the goroutine's, read after done is closed
	stop chan struct{}
	done chan struct{}
}

func openStream(in *tracefs.Instance, id uint16) (*stream, error) {
	rd, err := in.OpenReader()
	if err != nil {
		return nil, err
	}
	s := &stream{rd: rd, id: id, stop: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s, nil
}

func (s *stream) run() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		if s.err = s.rd.Wait(pollPeriod); s.err != nil {
			return
		}
		if _, s.err = s.rd.Drain(s.count); s.err != nil {
			return
		}
	}
}

func (s *stream) count(_ int, rec tracefs.Record) {
	if rec.Type() == s.id {
		s.seen.Add(1)
	}
}

// close stops the goroutine, reads every record left (call it once the
// hook no longer writes, and a Drain empties the buffers for good) and
// closes the reader. It returns what the stream counted.
func (s *stream) close() (uint64, error) {
	close(s.stop)
	<-s.done
	err := s.err
	for err == nil {
		var t tracefs.ReadTotals
		if t, err = s.rd.Drain(s.count); t.Pages == 0 {
			break
		}
	}
	return s.seen.Load(), errors.Join(err, s.rd.Close())
}
