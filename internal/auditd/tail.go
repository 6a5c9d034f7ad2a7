package auditd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tracebench/tracebench/internal/auditnl"
)

// eventSpan is how far apart in time, by their stamps, two records of one
// event can be read from a log: the kernel stamps all records of an event
// with one time and emits them together, and auditd itself ends an event
// after its end_of_event_timeout (2 s). Holding events open no longer
// keeps a long log's memory bounded.
const eventSpan = 2 * time.Second

// Tail counts the events of an auditd log while auditd appends to it.
type Tail struct {
	path    string
	off     int64
	partial []byte // an incomplete last line
	p       *logParser
}

// NewTail returns a Tail of the log at path, from its beginning.
func NewTail(path string) *Tail { return &Tail{path: path, p: newLogParser(eventSpan)} }

// Stats describes what was read so far.
func (t *Tail) Stats() LogStats { return t.p.stats }

// Read parses the complete lines appended since the last Read and counts
// the events they complete into c. A log not yet created reads as empty.
func (t *Tail) Read(c *auditnl.Counter) error {
	f, err := os.Open(t.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(t.off, io.SeekStart); err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		t.off += int64(n)
		if perr := t.lines(buf[:n], c); perr != nil {
			return fmt.Errorf("%s: %w", t.path, perr)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (t *Tail) lines(b []byte, c *auditnl.Counter) error {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			t.partial = append(t.partial, b...)
			if len(t.partial) > maxLine {
				return fmt.Errorf("line %d longer than %d bytes", t.p.stats.Lines+1, maxLine)
			}
			return nil
		}
		line := b[:i]
		if len(t.partial) > 0 {
			line = append(t.partial, line...)
			t.partial = t.partial[:0]
		}
		if err := t.p.line(string(line), c); err != nil {
			return err
		}
		b = b[i+1:]
	}
	return nil
}

// Flush counts the events still open into c. Call it when auditd has
// written every record of the events produced so far (see Settle).
func (t *Tail) Flush(c *auditnl.Counter) { t.p.flush(c) }

// settlePolls is how many consecutive unchanged sizes Settle needs.
const settlePolls = 5

// Settle waits until the log has stopped growing: the same size for
// several polls in a row. auditd writes a record to its log as it reads
// it (the log is line buffered; the flush setting governs only syncing to
// disk), so after WaitDrained only the records it is writing remain.
func (t *Tail) Settle(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := int64(-1)
	for same := 0; same < settlePolls; {
		var size int64
		if fi, err := os.Stat(t.path); err == nil {
			size = fi.Size()
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if size == last {
			same++
		} else {
			same, last = 0, size
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("auditd log %s still growing after %v", t.path, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}
