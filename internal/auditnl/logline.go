package auditnl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrUnknownType is the class of log lines whose record type name this
// package does not know; the line is otherwise well formed.
var ErrUnknownType = errors.New("unknown audit record type name")

// enrichSep separates the raw record from the fields auditd adds in its
// ENRICHED log format (ASCII group separator).
const enrichSep = "\x1d"

// ParseLogLine parses one line of an auditd log file:
//
//	[node=NAME ]type=SYSCALL msg=audit(SEC.MSEC:SERIAL): fields[\x1dENRICHED FIELDS]
//
// The enriched part (uid and syscall names auditd resolved) is dropped: the
// raw part carries everything the kernel said.
func ParseLogLine(line string) (Record, error) {
	line = strings.TrimRight(line, "\r\n")
	if i := strings.Index(line, enrichSep); i >= 0 {
		line = line[:i]
	}
	var node string
	if rest, ok := strings.CutPrefix(line, "node="); ok {
		sp := strings.IndexByte(rest, ' ')
		if sp < 0 {
			return Record{}, fmt.Errorf("%w: only a node name in %.60q", ErrBadRecord, line)
		}
		node, line = rest[:sp], rest[sp+1:]
	}
	rest, ok := strings.CutPrefix(line, "type=")
	if !ok {
		return Record{}, fmt.Errorf("%w: no type= in %.60q", ErrBadRecord, line)
	}
	name, body, ok := strings.Cut(rest, " msg=")
	if !ok {
		return Record{}, fmt.Errorf("%w: no msg= in %.60q", ErrBadRecord, line)
	}
	r, err := parseBody(body)
	if err != nil {
		return Record{}, err
	}
	typ, err := typeByName(name)
	if err != nil {
		return Record{}, err
	}
	r.Type, r.Node = typ, node
	return r, nil
}

// typeByName maps the names auditd writes (libaudit's type table) to
// numbers; types it has no name for appear as UNKNOWN[n].
func typeByName(name string) (uint16, error) {
	if n, ok := strings.CutPrefix(name, "UNKNOWN["); ok {
		v, err := strconv.ParseUint(strings.TrimSuffix(n, "]"), 10, 16)
		if err != nil || !strings.HasSuffix(n, "]") {
			return 0, fmt.Errorf("%w: %q", ErrBadRecord, name)
		}
		return uint16(v), nil
	}
	for t, n := range typeNames {
		if n == name {
			return t, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownType, name)
}

// TypeName returns the name auditd gives a record type.
func TypeName(t uint16) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("UNKNOWN[%d]", t)
}
