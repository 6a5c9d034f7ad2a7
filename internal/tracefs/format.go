package tracefs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Format is a trace event's record layout, from its format file
// (events.rst, "Event formats"): the common fields every record starts with
// (common_type, common_flags, common_preempt_count, common_pid), then the
// event's own.
type Format struct {
	Name   string
	ID     uint16
	Fields []Field
}

// Field is one field of a record layout.
type Field struct {
	Name   string
	Type   string // C type as the kernel prints it: "int", "__data_loc char[]", "char[16]"
	Offset int
	Size   int
	Signed bool
}

// ParseFormat parses an event's format file.
func ParseFormat(b []byte) (*Format, error) {
	f := &Format{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "name:"):
			f.Name = strings.TrimSpace(strings.TrimPrefix(line, "name:"))
		case strings.HasPrefix(line, "ID:"):
			id, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(line, "ID:")), 10, 16)
			if err != nil {
				return nil, badInput("parse format", "", "ID: %v", err)
			}
			f.ID = uint16(id)
		case strings.HasPrefix(line, "field:"):
			fl, err := parseField(line)
			if err != nil {
				return nil, err
			}
			f.Fields = append(f.Fields, fl)
		}
	}
	if f.Name == "" || len(f.Fields) == 0 {
		return nil, badInput("parse format", "", "no name or no fields")
	}
	return f, nil
}

// parseField parses "field:<declaration>;\toffset:N;\tsize:N;\tsigned:N;",
// the line format shared by event format files and events/header_page.
func parseField(line string) (Field, error) {
	var fl Field
	parts := strings.Split(line, ";")
	if len(parts) < 3 {
		return fl, badInput("parse field", "", "%q", line)
	}
	decl := strings.TrimSpace(strings.TrimPrefix(parts[0], "field:"))
	i := strings.LastIndexAny(decl, " \t")
	if i < 0 {
		return fl, badInput("parse field", "", "no type in %q", line)
	}
	fl.Type, fl.Name = strings.TrimSpace(decl[:i]), decl[i+1:]
	if j := strings.IndexByte(fl.Name, '['); j >= 0 { // "comm[16]": the brackets belong to the type
		fl.Type += fl.Name[j:]
		fl.Name = fl.Name[:j]
	}
	seen := 0
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), ":")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fl, badInput("parse field", "", "%s in %q", k, line)
		}
		switch k {
		case "offset":
			fl.Offset, seen = n, seen|1
		case "size":
			fl.Size, seen = n, seen|2
		case "signed":
			fl.Signed = n != 0
		}
	}
	if seen != 3 || fl.Name == "" {
		return fl, badInput("parse field", "", "no name, offset or size in %q", line)
	}
	return fl, nil
}

// Field returns the field called name.
func (f *Format) Field(name string) (Field, bool) {
	for _, fl := range f.Fields {
		if fl.Name == name {
			return fl, true
		}
	}
	return Field{}, false
}

// Uint reads an unsigned integer field (size 1, 2, 4 or 8) from a record.
func (fl Field) Uint(rec []byte) (uint64, error) {
	b, err := fl.raw(rec)
	if err != nil {
		return 0, err
	}
	switch fl.Size {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), nil
	case 8:
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, fl.errorf("size %d is not an integer size", fl.Size)
}

// Int reads an integer field, sign-extended if the field is signed.
func (fl Field) Int(rec []byte) (int64, error) {
	v, err := fl.Uint(rec)
	if err != nil || !fl.Signed || fl.Size == 8 {
		return int64(v), err
	}
	shift := 64 - 8*uint(fl.Size)
	return int64(v<<shift) >> shift, nil
}

// Bytes reads a byte array field: a fixed array (char comm[16]) or a
// dynamic one (__data_loc: a u32 holding offset | length<<16 of data
// stored after the fixed fields; __rel_loc, Linux 5.18+: the same, with the
// offset counted from the end of the field).
func (fl Field) Bytes(rec []byte) ([]byte, error) {
	b, err := fl.raw(rec)
	if err != nil {
		return nil, err
	}
	dyn := strings.HasPrefix(fl.Type, "__data_loc ")
	rel := strings.HasPrefix(fl.Type, "__rel_loc ")
	if !dyn && !rel {
		return b, nil
	}
	if fl.Size != 4 {
		return nil, fl.errorf("dynamic field of size %d, want 4", fl.Size)
	}
	loc := binary.LittleEndian.Uint32(b)
	off, n := int(loc&0xffff), int(loc>>16)
	if rel {
		off += fl.Offset + fl.Size
	}
	if off+n > len(rec) {
		return nil, fl.errorf("data at %d+%d beyond the %d-byte record", off, n, len(rec))
	}
	return rec[off : off+n], nil
}

// String reads a char array field up to its first NUL.
func (fl Field) String(rec []byte) (string, error) {
	b, err := fl.Bytes(rec)
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b), err
}

// raw is the field's bytes within rec, bounds-checked.
func (fl Field) raw(rec []byte) ([]byte, error) {
	if fl.Offset+fl.Size > len(rec) {
		return nil, fl.errorf("field at %d+%d beyond the %d-byte record", fl.Offset, fl.Size, len(rec))
	}
	return rec[fl.Offset : fl.Offset+fl.Size], nil
}

func (fl Field) errorf(format string, args ...any) error {
	return badInput("decode field", "", "%s %s: %s", fl.Type, fl.Name, fmt.Sprintf(format, args...))
}
