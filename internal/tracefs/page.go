package tracefs

import (
	"encoding/binary"
)

// Commit word flags (kernel/trace/ring_buffer.c): events were lost before
// this page, and their count is stored right after the page's data. The
// kernel adds them as int constants to a 64-bit local_t, so 1<<31 arrives
// sign-extended (bits 31-63 set): only the low 30 bits are the length.
const (
	missedEvents = 1 << 31
	missedStored = 1 << 30
	commitLength = 1<<30 - 1
)

// Record is one event from a ring buffer page.
type Record struct {
	// TS is the event's timestamp in trace clock units.
	TS uint64
	// Data is the record as the event wrote it, common fields first (see
	// Format), possibly followed by alignment padding. It aliases the page
	// buffer: copy what must outlive the next read.
	Data []byte
}

// Type is the record's common_type: the event id (see FS.EventID), or 0 if
// the record is too short to hold one.
func (r Record) Type() uint16 {
	if len(r.Data) < 2 {
		return 0
	}
	return binary.LittleEndian.Uint16(r.Data)
}

// PageInfo describes a decoded page.
type PageInfo struct {
	// TS is the page's base timestamp; event timestamps are deltas from it.
	TS uint64
	// Length is the number of committed bytes of event data.
	Length int
	// Records and Discarded count data events and discarded ones (events
	// reserved, then dropped by a filter, left as padding).
	Records, Discarded int
	// Missed is set when the kernel overwrote or dropped events between
	// the previous page read from this CPU and this one. MissedCount is
	// how many, when the kernel had room left on the page to store it
	// (MissedStored).
	Missed       bool
	MissedStored bool
	MissedCount  uint64
}

// DecodePage decodes one page as read from trace_pipe_raw, calling fn for
// each data record in order. It never reads outside b and fails with
// ClassBadInput on a malformed page; records before the fault have been
// passed to fn.
func (l *PageLayout) DecodePage(b []byte, fn func(Record)) (PageInfo, error) {
	var info PageInfo
	if len(b) < l.DataOffset {
		return info, l.corrupt(0, "page of %d bytes is shorter than its header", len(b))
	}
	info.TS = binary.LittleEndian.Uint64(b[l.TimestampOffset:])
	commit := l.word(b[l.CommitOffset:])
	info.Missed = commit&missedEvents != 0
	info.MissedStored = commit&missedStored != 0
	length := commit & commitLength
	if length > uint64(len(b)-l.DataOffset) {
		return info, l.corrupt(0, "commit of %d bytes beyond the %d-byte page", length, len(b))
	}
	info.Length = int(length)
	data := b[l.DataOffset : l.DataOffset+info.Length]
	if info.MissedStored {
		end := l.DataOffset + info.Length
		if end+l.CommitSize > len(b) {
			return info, l.corrupt(info.Length, "missed-events count beyond the page")
		}
		info.MissedCount = l.word(b[end:])
	}

	ts := info.TS
	for off := 0; off < len(data); {
		if len(data)-off < 4 {
			return info, l.corrupt(off, "truncated event header")
		}
		hdr := binary.LittleEndian.Uint32(data[off:])
		typeLen := hdr & (1<<l.TypeLenBits - 1)
		delta := uint64(hdr >> l.TypeLenBits)
		switch {
		case typeLen == l.Padding && delta == 0:
			return info, nil // the rest of the page is unused
		case typeLen == l.Padding, typeLen == l.TimeExtend, typeLen == l.TimeStamp, typeLen == 0:
			// These carry a second word: a length or a timestamp's high bits.
			if len(data)-off < 8 {
				return info, l.corrupt(off, "truncated type %d event", typeLen)
			}
		}
		var size int
		switch {
		case typeLen == l.Padding:
			// A discarded event: array[0] is its length after the header.
			// Its time_delta is not a delta (the kernel forces it non-zero).
			size = 4 + int(binary.LittleEndian.Uint32(data[off+4:]))
			if size < 8 || size > len(data)-off {
				return info, l.corrupt(off, "discarded event of %d bytes", size)
			}
			info.Discarded++
		case typeLen == l.TimeExtend:
			ts += uint64(binary.LittleEndian.Uint32(data[off+4:]))<<l.TimeDeltaBits | delta
			size = 8
		case typeLen == l.TimeStamp:
			ts = l.absolute(uint64(binary.LittleEndian.Uint32(data[off+4:]))<<l.TimeDeltaBits|delta, info.TS)
			size = 8
		case typeLen == 0:
			// array[0] is the length after the header, itself included.
			n := int(binary.LittleEndian.Uint32(data[off+4:]))
			if n < 4 || n > len(data)-off-4 {
				return info, l.corrupt(off, "event length %d", n)
			}
			ts += delta
			size = 4 + n
			fn(Record{TS: ts, Data: data[off+8 : off+size]})
			info.Records++
		case typeLen <= l.MaxDataType:
			size = 4 + 4*int(typeLen)
			if size > len(data)-off {
				return info, l.corrupt(off, "event of %d bytes beyond the commit", size)
			}
			ts += delta
			fn(Record{TS: ts, Data: data[off+4 : off+size]})
			info.Records++
		default:
			return info, l.corrupt(off, "unknown event type_len %d", typeLen)
		}
		off += size
	}
	return info, nil
}

// absolute completes an absolute timestamp event: it holds only the low
// 32+TimeDeltaBits bits (59), the page timestamp supplies the high ones.
func (l *PageLayout) absolute(ts, page uint64) uint64 {
	width := 32 + l.TimeDeltaBits
	if width >= 64 {
		return ts
	}
	high := page &^ (1<<width - 1)
	ts |= high
	if ts < page && high != 0 { // the low bits wrapped since the page began
		ts += 1 << width
	}
	return ts
}

// word reads a commit-sized (long) little-endian word.
func (l *PageLayout) word(b []byte) uint64 {
	if l.CommitSize == 4 {
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

func (l *PageLayout) corrupt(off int, format string, args ...any) error {
	return badInput("decode page", "", "at data offset %d: "+format, append([]any{off}, args...)...)
}
