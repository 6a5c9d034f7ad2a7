package loader

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/tracebench/tracebench/event"
)

// pollPeriod bounds how long a record can wait in the ring buffer when the
// program submitted it without waking the reader (batched wake-ups).
const pollPeriod = 20 * time.Millisecond

// maxEvent is TB_EVENT_MAX of bpf/include/tracebench.h.
const maxEvent = 8

// streamReader consumes the ring buffer in a goroutine and counts records
// per event.
type streamReader struct {
	rd      *ringbuf.Reader
	counts  [maxEvent]atomic.Uint64
	flushed chan struct{}
	done    chan error
	mu      sync.Mutex // serialises drains
}

func newStreamReader(m *ebpf.Map) (*streamReader, error) {
	rd, err := ringbuf.NewReader(m)
	if err != nil {
		return nil, fmt.Errorf("open ring buffer reader: %w", err)
	}
	s := &streamReader{rd: rd, flushed: make(chan struct{}), done: make(chan error, 1)}
	go s.run()
	return s, nil
}

func (s *streamReader) run() {
	var rec ringbuf.Record
	for {
		s.rd.SetDeadline(time.Now().Add(pollPeriod))
		err := s.rd.ReadInto(&rec)
		switch {
		case err == nil:
			if len(rec.RawSample) >= 8 {
				ev := binary.NativeEndian.Uint32(rec.RawSample)
				if ev < uint32(len(s.counts)) {
					s.counts[ev].Add(1)
				}
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
		case errors.Is(err, ringbuf.ErrFlushed):
			s.flushed <- struct{}{}
		case errors.Is(err, ringbuf.ErrClosed), errors.Is(err, os.ErrClosed):
			s.done <- nil
			return
		default:
			s.done <- err
			return
		}
	}
}

// drain returns once every record submitted so far has been counted.
func (s *streamReader) drain() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.rd.Flush(); err != nil {
		return fmt.Errorf("flush ring buffer: %w", err)
	}
	select {
	case <-s.flushed:
		return nil
	case err := <-s.done:
		return fmt.Errorf("ring buffer reader stopped: %w", err)
	case <-time.After(10 * time.Second):
		return errors.New("ring buffer drain timed out")
	}
}

func (s *streamReader) seen(ev event.Event) uint64 { return s.counts[ev].Load() }

func (s *streamReader) close() error {
	err := s.rd.Close()
	select {
	case <-s.done:
	case <-time.After(time.Second):
	}
	return err
}
