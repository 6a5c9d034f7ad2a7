package perfevent

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// errShort is returned by decoder when a record ends before a field.
var errShort = errors.New("record too short")

// decoder reads little-endian fields off a record, remembering the first
// error so a parser can read a whole layout and check once.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b)-d.off < 8 {
		d.err = fmt.Errorf("%w: field at byte %d of %d", errShort, d.off, len(d.b))
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

// u32pair reads two u32 packed in one u64 slot, such as { u32 pid, tid; }.
func (d *decoder) u32pair() (uint32, uint32) {
	v := d.u64()
	return uint32(v), uint32(v >> 32)
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

// done checks that the whole record was consumed.
func (d *decoder) done() error {
	if d.err == nil && d.off != len(d.b) {
		d.err = fmt.Errorf("%d bytes left after the last field of a %d-byte record", len(d.b)-d.off, len(d.b))
	}
	return d.err
}
