package tracefs

import (
	"strconv"
	"strings"
)

// PageLayout is how the running kernel lays out a ring buffer page (a
// "sub-buffer" since Linux 6.8, whose size buffer_subbuf_size_kb sets) and
// the event headers in it, as published in events/header_page and
// events/header_event (ring_buffer_design.rst). A page is a header — a
// timestamp and a commit word (bytes of event data, plus the missed-events
// flags) — followed by the events.
type PageLayout struct {
	// Size is the size of a page as trace_pipe_raw returns it: header
	// included.
	Size int
	// TimestampOffset is where the page's u64 base timestamp is.
	TimestampOffset int
	// CommitOffset and CommitSize locate the commit word (a local_t: the
	// size of a long). A stored missed-events count has the same size.
	CommitOffset, CommitSize int
	// DataOffset is where the events start.
	DataOffset int
	// TypeLenBits and TimeDeltaBits split the 32-bit event header:
	// type_len in the low bits, time_delta above (little-endian bitfields).
	TypeLenBits, TimeDeltaBits uint
	// MaxDataType is the largest type_len of a data event whose length is
	// type_len*4; type_len 0 means the length is in the next word.
	MaxDataType uint32
	// Padding, TimeExtend and TimeStamp are the type_len values of the
	// special events (29, 30, 31 on every kernel so far).
	Padding, TimeExtend, TimeStamp uint32
}

// PageLayout reads the instance's ring buffer layout.
func (in *Instance) PageLayout() (PageLayout, error) {
	hp, err := readFile(in.path("events", "header_page"))
	if err != nil {
		return PageLayout{}, err
	}
	he, err := readFile(in.path("events", "header_event"))
	if err != nil {
		return PageLayout{}, err
	}
	l, err := ParsePageLayout(hp, he)
	if err != nil {
		err.(*Error).Path = in.path("events")
	}
	return l, err
}

// ParsePageLayout parses the contents of events/header_page and
// events/header_event.
func ParsePageLayout(headerPage, headerEvent []byte) (PageLayout, error) {
	var l PageLayout
	fields := map[string]Field{}
	for _, line := range strings.Split(string(headerPage), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "field:") {
			fl, err := parseField(strings.TrimSpace(line))
			if err != nil {
				return l, err
			}
			fields[fl.Name] = fl
		}
	}
	ts, okTS := fields["timestamp"]
	commit, okCommit := fields["commit"]
	data, okData := fields["data"]
	if !okTS || !okCommit || !okData || ts.Size != 8 || (commit.Size != 4 && commit.Size != 8) {
		return l, badInput("parse header_page", "", "want u64 timestamp, 4- or 8-byte commit and data fields")
	}
	l.TimestampOffset, l.CommitOffset, l.CommitSize = ts.Offset, commit.Offset, commit.Size
	l.DataOffset, l.Size = data.Offset, data.Offset+data.Size

	// "type_len    :    5 bits", "padding     : type == 29",
	// "data max type_len  == 28"
	vals := map[string]uint64{}
	for _, line := range strings.Split(string(headerEvent), "\n") {
		line = strings.TrimSpace(line)
		if k, v, ok := strings.Cut(line, "=="); ok {
			k = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(k), ": type"))
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
			if err != nil {
				return l, badInput("parse header_event", "", "%q", line)
			}
			vals[k] = n
		} else if k, v, ok := strings.Cut(line, ":"); ok && strings.HasSuffix(v, "bits") {
			n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(v, "bits")), 10, 32)
			if err != nil {
				return l, badInput("parse header_event", "", "%q", line)
			}
			vals[strings.TrimSpace(k)] = n
		}
	}
	for _, k := range []string{"type_len", "time_delta", "padding", "time_extend", "data max type_len"} {
		if _, ok := vals[k]; !ok {
			return l, badInput("parse header_event", "", "no %q", k)
		}
	}
	l.TypeLenBits, l.TimeDeltaBits = uint(vals["type_len"]), uint(vals["time_delta"])
	l.Padding, l.TimeExtend = uint32(vals["padding"]), uint32(vals["time_extend"])
	l.MaxDataType = uint32(vals["data max type_len"])
	// Kernels before absolute timestamps (4.17) have no time_stamp type:
	// use a type_len no header can hold.
	l.TimeStamp = 1 << l.TypeLenBits
	if v, ok := vals["time_stamp"]; ok {
		l.TimeStamp = uint32(v)
	}
	return l, l.validate()
}

func (l PageLayout) validate() error {
	types := uint32(1) << l.TypeLenBits
	switch {
	case l.TypeLenBits+l.TimeDeltaBits != 32 || l.TypeLenBits == 0 || l.TypeLenBits > 8:
		return badInput("parse header_event", "", "event header of %d+%d bits, want 32", l.TypeLenBits, l.TimeDeltaBits)
	case l.MaxDataType >= l.Padding || l.Padding >= types || l.TimeExtend >= types || l.TimeStamp > types:
		return badInput("parse header_event", "", "type_len values out of range")
	case l.TimestampOffset+8 > l.DataOffset || l.CommitOffset+l.CommitSize > l.DataOffset:
		return badInput("parse header_page", "", "header fields overlap the data")
	case l.Size <= l.DataOffset || l.Size > 1<<24:
		return badInput("parse header_page", "", "page size %d", l.Size)
	}
	return nil
}
