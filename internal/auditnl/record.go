package auditnl

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadRecord is the class of records that do not follow the kernel's
// format "audit(SEC.MSEC:SERIAL): name=value …".
var ErrBadRecord = errors.New("malformed audit record")

// Record is one audit record. Records that share Sec, Milli and Serial
// belong to one event.
type Record struct {
	Type   uint16
	Sec    int64  // seconds since the epoch
	Milli  uint16 // milliseconds
	Serial uint64 // per-boot event serial number
	// Node is the machine name auditd prefixes when its name_format is
	// set; empty for records read from netlink.
	Node   string
	Fields []RecordField
}

// RecordField is one name=value pair of a record, in record order. Quoted
// is set when the kernel wrote the value in double quotes (a string free of
// spaces, quotes and control characters); untrusted strings that are not
// clean are written as unquoted hex instead.
type RecordField struct {
	Name   string
	Value  string
	Quoted bool
}

// eventID identifies the event a record belongs to.
type eventID struct {
	sec    int64
	milli  uint16
	serial uint64
}

func (r *Record) id() eventID { return eventID{r.Sec, r.Milli, r.Serial} }

// Time returns the event's timestamp.
func (r *Record) Time() time.Time {
	return time.Unix(r.Sec, int64(r.Milli)*int64(time.Millisecond))
}

// Get returns the value of the first field called name, as written.
func (r *Record) Get(name string) (string, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Text returns a string field decoded: the quoted text, or the bytes of an
// unquoted hex value (how the kernel writes strings with spaces or control
// characters, see audit_log_untrustedstring), or the value itself when it is
// neither (such as "(null)" or "?").
func (r *Record) Text(name string) (string, bool) {
	for _, f := range r.Fields {
		if f.Name != name {
			continue
		}
		if f.Quoted {
			return f.Value, true
		}
		if b, err := hex.DecodeString(f.Value); err == nil && len(b) > 0 {
			return string(b), true
		}
		return f.Value, true
	}
	return "", false
}

// Int returns a decimal integer field.
func (r *Record) Int(name string) (int64, error) {
	v, ok := r.Get(name)
	if !ok {
		return 0, fmt.Errorf("%w: type %d has no field %q", ErrBadRecord, r.Type, name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: field %s=%q: %v", ErrBadRecord, name, v, err)
	}
	return n, nil
}

// Uint returns an unsigned integer field in the given base (16 for arch and
// syscall arguments, 10 for ids).
func (r *Record) Uint(name string, base int) (uint64, error) {
	v, ok := r.Get(name)
	if !ok {
		return 0, fmt.Errorf("%w: type %d has no field %q", ErrBadRecord, r.Type, name)
	}
	n, err := strconv.ParseUint(v, base, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: field %s=%q: %v", ErrBadRecord, name, v, err)
	}
	return n, nil
}

// ParseRecord parses the payload of an audit netlink message of type typ.
// The payload is the record text without the "type=" and "msg=" parts that
// auditd adds when it writes a log line.
func ParseRecord(typ uint16, payload []byte) (Record, error) {
	s := strings.TrimRight(string(payload), "\x00\n ")
	r, err := parseBody(s)
	if err != nil {
		return Record{}, err
	}
	r.Type = typ
	return r, nil
}

// parseBody parses "audit(SEC.MSEC:SERIAL): fields".
func parseBody(s string) (Record, error) {
	const open = "audit("
	if !strings.HasPrefix(s, open) {
		return Record{}, fmt.Errorf("%w: no %q prefix in %.40q", ErrBadRecord, open, s)
	}
	end := strings.Index(s, "):")
	if end < 0 {
		return Record{}, fmt.Errorf("%w: unterminated timestamp in %.40q", ErrBadRecord, s)
	}
	var r Record
	if err := parseStamp(s[len(open):end], &r); err != nil {
		return Record{}, err
	}
	r.Fields = parseFields(s[end+2:])
	return r, nil
}

// parseStamp parses "SEC.MSEC:SERIAL" (audit_log_start prints the
// milliseconds as exactly three digits).
func parseStamp(s string, r *Record) error {
	dot := strings.IndexByte(s, '.')
	colon := strings.IndexByte(s, ':')
	if dot < 0 || colon < dot {
		return fmt.Errorf("%w: timestamp %q is not SEC.MSEC:SERIAL", ErrBadRecord, s)
	}
	sec, err1 := strconv.ParseInt(s[:dot], 10, 64)
	milli, err2 := strconv.ParseUint(s[dot+1:colon], 10, 16)
	serial, err3 := strconv.ParseUint(s[colon+1:], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil || milli > 999 || sec < 0 {
		return fmt.Errorf("%w: timestamp %q is not SEC.MSEC:SERIAL", ErrBadRecord, s)
	}
	r.Sec, r.Milli, r.Serial = sec, uint16(milli), serial
	return nil
}

// parseFields splits `a=1 b="x" msg='c=2 d=3'` into fields. A value in
// double quotes (kernel strings, which never contain spaces or quotes: the
// kernel hex-encodes those) or single quotes (user-space messages, which
// nest fields) runs to the closing quote; an unterminated one takes the rest.
// Words without '=' are kept as a name with an empty value; values without
// a name are dropped.
func parseFields(s string) []RecordField {
	var out []RecordField
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return out
		}
		n := strings.IndexAny(s, "= ")
		if n < 0 || s[n] == ' ' {
			if n < 0 {
				n = len(s)
			}
			out = append(out, RecordField{Name: s[:n]})
			s = s[n:]
			continue
		}
		f := RecordField{Name: s[:n]}
		s = s[n+1:]
		if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
			q := s[0]
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				end = len(s) - 1 // unterminated: take the rest
				f.Value, s = s[1:], ""
			} else {
				f.Value, s = s[1:1+end], s[2+end:]
			}
			f.Quoted = true
		} else {
			end := strings.IndexByte(s, ' ')
			if end < 0 {
				end = len(s)
			}
			f.Value, s = s[:end], s[end:]
		}
		if f.Name != "" { // "=value" has no name to look it up by
			out = append(out, f)
		}
	}
}
