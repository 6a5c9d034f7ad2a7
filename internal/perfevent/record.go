package perfevent

import (
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// headerSize is sizeof(struct perf_event_header): u32 type, u16 misc, u16 size.
const headerSize = 8

// RecordType is perf_event_header.type (enum perf_event_type).
type RecordType uint32

// The record types this package decodes; others are returned as [Other].
const (
	RecordLost        RecordType = unix.PERF_RECORD_LOST
	RecordThrottle    RecordType = unix.PERF_RECORD_THROTTLE
	RecordUnthrottle  RecordType = unix.PERF_RECORD_UNTHROTTLE
	RecordSample      RecordType = unix.PERF_RECORD_SAMPLE
	RecordLostSamples RecordType = unix.PERF_RECORD_LOST_SAMPLES
)

// SampleType is perf_event_attr.sample_type: which fields a sample carries.
type SampleType uint64

// The sample fields this package decodes.
const (
	SampleIP          SampleType = unix.PERF_SAMPLE_IP
	SampleTID         SampleType = unix.PERF_SAMPLE_TID
	SampleTime        SampleType = unix.PERF_SAMPLE_TIME
	SampleCPU         SampleType = unix.PERF_SAMPLE_CPU
	SamplePeriod      SampleType = unix.PERF_SAMPLE_PERIOD
	SampleBranchStack SampleType = unix.PERF_SAMPLE_BRANCH_STACK
)

// sampleTypeNames lists the decoded fields in their ABI order.
var sampleTypeNames = []struct {
	t    SampleType
	name string
}{
	{SampleIP, "ip"}, {SampleTID, "tid"}, {SampleTime, "time"}, {SampleCPU, "cpu"},
	{SamplePeriod, "period"}, {SampleBranchStack, "branch_stack"},
}

const supportedSampleTypes = SampleIP | SampleTID | SampleTime | SampleCPU | SamplePeriod | SampleBranchStack

func (t SampleType) String() string {
	var names []string
	for _, n := range sampleTypeNames {
		if t&n.t != 0 {
			names = append(names, n.name)
		}
	}
	if rest := t &^ supportedSampleTypes; rest != 0 {
		names = append(names, fmt.Sprintf("%#x", uint64(rest)))
	}
	return strings.Join(names, "|")
}

// Layout is what a parser must know of the event's attributes to decode its
// records: the sample fields, whether branch stacks carry hw_idx, and
// whether other records end with a sample_id (attr.sample_id_all).
type Layout struct {
	SampleType  SampleType
	Branches    BranchFilter
	SampleIDAll bool
}

// Validate rejects sample fields this package cannot decode: a record's
// fields have no tags, so one unknown field makes every later one unreadable.
func (l Layout) Validate() error {
	if rest := l.SampleType &^ supportedSampleTypes; rest != 0 {
		return &Error{Op: "parse records", Class: ErrInvalid, Err: fmt.Errorf("sample_type %s is not decoded by this package", rest)}
	}
	return nil
}

// Record is one decoded ring buffer record: *Sample, *Lost, *LostSamples,
// *Throttle or *Other.
type Record interface {
	Type() RecordType
}

// SampleID is the trailer other records carry with attr.sample_id_all: the
// identity fields of the sample_type (TID, TIME, CPU) of the record's event.
type SampleID struct {
	PID, TID uint32
	Time     uint64
	CPU      uint32
}

// Lost is PERF_RECORD_LOST: the kernel dropped Count records because the
// ring was full. It is written only when a later record finds room again;
// [Sampler.Totals] counts drops that are never followed by one.
type Lost struct {
	ID, Count uint64
	SampleID
}

// LostSamples is PERF_RECORD_LOST_SAMPLES (4.2+): samples the PMU itself
// dropped, e.g. Intel PEBS records it could not deliver.
type LostSamples struct {
	Count uint64
	SampleID
}

// Throttle is PERF_RECORD_THROTTLE or PERF_RECORD_UNTHROTTLE: the kernel
// stopped (resumed) sampling because the event exceeded
// kernel.perf_event_max_sample_rate. Samples not taken while throttled are
// nowhere counted.
type Throttle struct {
	Unthrottle         bool
	Time, ID, StreamID uint64
	SampleID
}

// Other is any other record type, skipped by its size.
type Other struct {
	Kind RecordType
	Misc uint16
	Size int
}

func (*Sample) Type() RecordType      { return RecordSample }
func (*Lost) Type() RecordType        { return RecordLost }
func (*LostSamples) Type() RecordType { return RecordLostSamples }
func (o *Other) Type() RecordType     { return o.Kind }
func (t *Throttle) Type() RecordType {
	if t.Unthrottle {
		return RecordUnthrottle
	}
	return RecordThrottle
}

// Parse decodes one record: the perf_event_header and the size it gives.
// The record must be exactly that size. Nothing in the result refers to raw.
func (l Layout) Parse(raw []byte) (Record, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if len(raw) < headerSize {
		return nil, fmt.Errorf("parse record: %w: %d bytes, header needs %d", errShort, len(raw), headerSize)
	}
	typ := RecordType(binary.LittleEndian.Uint32(raw))
	misc := binary.LittleEndian.Uint16(raw[4:])
	size := int(binary.LittleEndian.Uint16(raw[6:]))
	if size != len(raw) {
		return nil, fmt.Errorf("parse record type %d: header size %d, record %d bytes", typ, size, len(raw))
	}
	d := &decoder{b: raw, off: headerSize}
	var rec Record
	switch typ {
	case RecordSample:
		rec = l.parseSample(d, misc)
	case RecordLost:
		r := &Lost{ID: d.u64(), Count: d.u64()}
		r.SampleID = l.parseSampleID(d)
		rec = r
	case RecordLostSamples:
		r := &LostSamples{Count: d.u64()}
		r.SampleID = l.parseSampleID(d)
		rec = r
	case RecordThrottle, RecordUnthrottle:
		r := &Throttle{Unthrottle: typ == RecordUnthrottle, Time: d.u64(), ID: d.u64(), StreamID: d.u64()}
		r.SampleID = l.parseSampleID(d)
		rec = r
	default:
		return &Other{Kind: typ, Misc: misc, Size: size}, nil
	}
	if err := d.done(); err != nil {
		return nil, fmt.Errorf("parse record type %d (sample_type %s): %w", typ, l.SampleType, err)
	}
	return rec, nil
}

// parseSampleID reads the sample_id trailer, whose fields follow the ABI
// order TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER.
func (l Layout) parseSampleID(d *decoder) SampleID {
	var id SampleID
	if !l.SampleIDAll {
		return id
	}
	if l.SampleType&SampleTID != 0 {
		id.PID, id.TID = d.u32pair()
	}
	if l.SampleType&SampleTime != 0 {
		id.Time = d.u64()
	}
	if l.SampleType&SampleCPU != 0 {
		id.CPU, _ = d.u32pair()
	}
	return id
}
