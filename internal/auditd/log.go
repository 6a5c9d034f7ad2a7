package auditd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tracebench/tracebench/internal/auditnl"
)

// LogStats describes a parsed log.
type LogStats struct {
	Lines   int
	Records int
	Events  int
	// Unknown counts well-formed lines whose record type name is not
	// known (a user-space type tracebench never produces).
	Unknown int
}

// ReadLog parses the auditd log at path and counts its syscall events per
// rule key and syscall into c, which should count auditnl.FromLog (an
// auditd log holds no EOE records).
func ReadLog(path string, c *auditnl.Counter) (LogStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return LogStats{}, err
	}
	defer f.Close()
	st, err := ParseLog(f, c)
	if err != nil {
		return st, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// ParseLog reads auditd log lines from r, groups their records into events
// (a log holds each event's records in order, but events of tasks on
// different CPUs may interleave) and counts them into c. A malformed line
// is an error naming its line number.
func ParseLog(r io.Reader, c *auditnl.Counter) (LogStats, error) {
	p := newLogParser(time.Hour) // only the final flush completes events
	sc := bufio.NewScanner(r)
	// A record is at most 8970 bytes; auditd's enriched part adds less
	// than that again.
	sc.Buffer(make([]byte, maxLine), maxLine)
	for sc.Scan() {
		if err := p.line(sc.Text(), c); err != nil {
			return p.stats, err
		}
	}
	if err := sc.Err(); err != nil {
		return p.stats, fmt.Errorf("line %d: %w", p.stats.Lines+1, err)
	}
	p.flush(c)
	return p.stats, nil
}

// maxLine bounds a log line: a record is at most 8970 bytes, and auditd's
// enriched part adds less than that again.
const maxLine = 64 << 10

// logParser turns log lines into counted events.
type logParser struct {
	stats   LogStats
	asm     *auditnl.Assembler
	timeout time.Duration
	expired time.Time // the stamp of the last expiry pass
}

// newLogParser returns a parser that completes an event once a record
// stamped at least timeout after it has been read.
func newLogParser(timeout time.Duration) *logParser {
	return &logParser{asm: auditnl.NewAssembler(timeout), timeout: timeout}
}

// line parses one log line and counts the events it completes. A log
// holds no EOE records, so an event is complete when a record stamped
// the parser's timeout later arrives (the kernel stamps every record of
// an event with the event's time) or at flush.
func (p *logParser) line(text string, c *auditnl.Counter) error {
	p.stats.Lines++
	rec, err := auditnl.ParseLogLine(text)
	if errors.Is(err, auditnl.ErrUnknownType) {
		p.stats.Unknown++
		return nil
	}
	if err != nil {
		return fmt.Errorf("line %d: %w", p.stats.Lines, err)
	}
	p.stats.Records++
	stamp := time.Unix(rec.Sec, int64(rec.Milli)*int64(time.Millisecond))
	if e := p.asm.Add(rec, stamp); e != nil {
		p.add(e, c)
	}
	// An expiry pass looks at every open event: make one per half
	// timeout of log time, not per line.
	if stamp.Sub(p.expired) >= p.timeout/2 {
		p.expired = stamp
		for _, e := range p.asm.Expire(stamp) {
			p.add(&e, c)
		}
	}
	return nil
}

func (p *logParser) add(e *auditnl.Event, c *auditnl.Counter) {
	p.stats.Events++
	c.Add(e)
}

// flush counts every event still open.
func (p *logParser) flush(c *auditnl.Counter) {
	for _, e := range p.asm.Flush() {
		p.add(&e, c)
	}
}
