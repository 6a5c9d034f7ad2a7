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
	var st LogStats
	asm := auditnl.NewAssembler(time.Hour) // only EOE and the final Flush complete events
	sc := bufio.NewScanner(r)
	// A record is at most 8970 bytes; auditd's enriched part adds less
	// than that again.
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	add := func(e *auditnl.Event) {
		st.Events++
		c.Add(e)
	}
	for sc.Scan() {
		st.Lines++
		rec, err := auditnl.ParseLogLine(sc.Text())
		if errors.Is(err, auditnl.ErrUnknownType) {
			st.Unknown++
			continue
		}
		if err != nil {
			return st, fmt.Errorf("line %d: %w", st.Lines, err)
		}
		st.Records++
		if e := asm.Add(rec, time.Time{}); e != nil {
			add(e)
		}
	}
	if err := sc.Err(); err != nil {
		return st, fmt.Errorf("line %d: %w", st.Lines+1, err)
	}
	for _, e := range asm.Flush() {
		add(&e)
	}
	return st, nil
}
