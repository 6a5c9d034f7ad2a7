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

// recordSize is sizeof(struct record) in bpf/include/tracebench.h.
const recordSize = 16

// streamReader consumes the ring buffer in a goroutine and counts records
// per event, and the records whose CO-RE values contradict ground truth.
type streamReader struct {
	rd      *ringbuf.Reader
	valid   func(tgid, tgidCore, ppidCore uint32) bool
	counts  [maxEvent]atomic.Uint64
	invalid [maxEvent]atomic.Uint64
	flushed chan struct{}
	done    chan error
	mu      sync.Mutex // serialises drains
}

func newStreamReader(m *ebpf.Map, valid func(tgid, tgidCore, ppidCore uint32) bool) (*streamReader, error) {
	rd, err := ringbuf.NewReader(m)
	if err != nil {
		return nil, fmt.Errorf("open ring buffer reader: %w", err)
	}
	s := &streamReader{rd: rd, valid: valid, flushed: make(chan struct{}), done: make(chan error, 1)}
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
			s.count(rec.RawSample)
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

func (s *streamReader) count(b []byte) {
	if len(b) < recordSize {
		return
	}
	ev := binary.NativeEndian.Uint32(b)
	if ev >= uint32(len(s.counts)) {
		return
	}
	s.counts[ev].Add(1)
	u32 := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	if !s.valid(u32(1), u32(2), u32(3)) {
		s.invalid[ev].Add(1)
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

func (s *streamReader) invalidCount(ev event.Event) uint64 { return s.invalid[ev].Load() }

func (s *streamReader) close() error {
	err := s.rd.Close()
	select {
	case <-s.done:
	case <-time.After(time.Second):
	}
	return err
}
