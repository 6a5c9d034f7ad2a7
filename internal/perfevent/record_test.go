package perfevent

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// lbrLayout is what perf/lbr samples with: IP, TID, TIME, CPU, PERIOD and a
// branch stack.
var lbrLayout = Layout{
	SampleType:  SampleIP | SampleTID | SampleTime | SampleCPU | SamplePeriod | SampleBranchStack,
	Branches:    BranchAny | BranchUser,
	SampleIDAll: true,
}

// TestParseSampleLiteral decodes a sample written out byte by byte, not by
// the test encoder: IP, TID and a branch stack with hw_idx and two entries.
func TestParseSampleLiteral(t *testing.T) {
	raw := []byte{
		0x09, 0x00, 0x00, 0x00, // type PERF_RECORD_SAMPLE
		0x02, 0x00, // misc PERF_RECORD_MISC_USER
		0x40, 0x00, // size 64
		0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0x00, 0x00, // ip 0xba9876543210
		0xe8, 0x03, 0x00, 0x00, 0xe9, 0x03, 0x00, 0x00, // pid 1000, tid 1001
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // nr 2
		0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // hw_idx 7
		0x00, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, // [0].from 0x401000
		0x80, 0x20, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, // [0].to 0x402080
		0x41, 0x23, 0x41, 0x43, 0x00, 0x00, 0x00, 0x00, // [0].flags, see TestBranchFlags
	}
	// nr says 2 but one entry follows: the parser must refuse, not read on.
	l := Layout{SampleType: SampleIP | SampleTID | SampleBranchStack, Branches: BranchAny | BranchHWIndex}
	if _, err := l.Parse(raw); err == nil || !errors.Is(err, errShort) {
		t.Fatalf("Parse of a 2-entry stack holding 1 entry: err = %v, want errShort", err)
	}
	raw[24] = 1 // nr 1
	rec, err := l.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := &Sample{
		Misc: 2, IP: 0xba9876543210, PID: 1000, TID: 1001,
		Branches: BranchStack{HWIndex: 7, HasHWIndex: true, Entries: []BranchEntry{
			{From: 0x401000, To: 0x402080, Flags: 0x43412341},
		}},
	}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("Parse = %+v\nwant    %+v", rec, want)
	}
}

// TestParseSampleBranchStacks decodes samples with and without hw_idx and
// with an empty stack, from the same entries.
func TestParseSampleBranchStacks(t *testing.T) {
	entries := []BranchEntry{
		{From: 0xffffffff81000010, To: 0xffffffff81000100, Flags: 0xc9fffffe},
		{From: 0x401000, To: 0x402000, Flags: 0x43412341},
		{From: 0x402010, To: 0x401008, Flags: 1 << 1},
	}
	for _, tc := range []struct {
		name     string
		branches BranchFilter
		stack    BranchStack
	}{
		{"no hw_idx", BranchAny, BranchStack{Entries: entries}},
		{"hw_idx", BranchAny | BranchHWIndex, BranchStack{HWIndex: 31, HasHWIndex: true, Entries: entries}},
		{"hw_idx unknown", BranchCallStack | BranchHWIndex, BranchStack{HWIndex: ^uint64(0), HasHWIndex: true, Entries: entries}},
		{"empty", BranchAnyCall, BranchStack{Entries: []BranchEntry{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := lbrLayout
			l.Branches = tc.branches
			s := &Sample{Misc: 1, IP: 0x401234, PID: 7, TID: 8, Time: 123456789, CPU: 1, Period: 100003, Branches: tc.stack}
			raw := encode(l, s)
			wantSize := headerSize + 8*5 + 8 + 24*len(tc.stack.Entries)
			if tc.stack.HasHWIndex {
				wantSize += 8
			}
			if len(raw) != wantSize {
				t.Fatalf("encoded %d bytes, ABI says %d", len(raw), wantSize)
			}
			rec, err := l.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rec, s) {
				t.Errorf("Parse = %+v\nwant    %+v", rec, s)
			}
			// Parsing with the wrong hw_idx setting must fail, not misread.
			l.Branches ^= BranchHWIndex
			if rec, err := l.Parse(raw); err == nil {
				t.Errorf("Parse with hw_idx toggled = %+v, want an error", rec)
			}
		})
	}
}

func TestParseOtherRecords(t *testing.T) {
	id := SampleID{PID: 10, TID: 11, Time: 5000, CPU: 1}
	l := lbrLayout
	for _, rec := range []Record{
		&Lost{ID: 42, Count: 17, SampleID: id},
		&LostSamples{Count: 3, SampleID: id},
		&Throttle{Time: 99, ID: 42, StreamID: 43, SampleID: id},
		&Throttle{Unthrottle: true, Time: 100, ID: 42, StreamID: 43, SampleID: id},
	} {
		raw := encode(l, rec)
		got, err := l.Parse(raw)
		if err != nil {
			t.Errorf("Parse(%T): %v", rec, err)
			continue
		}
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("Parse = %+v, want %+v", got, rec)
		}
	}
	// Without sample_id_all a LOST record is header, id, lost.
	noID := Layout{SampleType: SampleIP}
	got, err := noID.Parse(rawRecord(RecordLost, 0, 1, 2))
	if err != nil || !reflect.DeepEqual(got, &Lost{ID: 1, Count: 2}) {
		t.Errorf("Parse(LOST without sample_id) = %+v, %v", got, err)
	}
	// The same record read as if it had a sample_id is too short.
	if _, err := l.Parse(rawRecord(RecordLost, 0, 1, 2)); !errors.Is(err, errShort) {
		t.Errorf("Parse(LOST missing its sample_id) err = %v, want errShort", err)
	}
}

// TestParseSkipsUnknown checks that records this package does not decode
// (MMAP2, COMM, a type from the future) come back as Other with their size.
func TestParseSkipsUnknown(t *testing.T) {
	for _, typ := range []RecordType{3, 10, 200} {
		raw := rawRecord(typ, 0x2000, 1, 2, 3)
		rec, err := lbrLayout.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		want := &Other{Kind: typ, Misc: 0x2000, Size: len(raw)}
		if !reflect.DeepEqual(rec, want) {
			t.Errorf("Parse(type %d) = %+v, want %+v", typ, rec, want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	good := encode(lbrLayout, &Sample{Branches: BranchStack{Entries: []BranchEntry{}}})
	for name, raw := range map[string][]byte{
		"short header":     good[:6],
		"size mismatch":    append(bytes.Clone(good), 0, 0, 0, 0, 0, 0, 0, 0),
		"trailing word":    rawRecord(RecordSample, 0, append(sampleWords(lbrLayout, &Sample{}), 0)...),
		"huge branch nr":   rawRecord(RecordSample, 0, 1, 2, 3, 4, 5, 1<<60),
		"throttle no body": rawRecord(RecordThrottle, 0),
	} {
		if rec, err := lbrLayout.Parse(raw); err == nil {
			t.Errorf("%s: Parse = %+v, want an error", name, rec)
		}
	}
	if err := (Layout{SampleType: SampleIP | 1<<5}).Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Validate(sample_type with ADDR) = %v, want ErrInvalid", err)
	}
}
