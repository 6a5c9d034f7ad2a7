package perfevent

import "encoding/binary"

// This file builds records byte by byte from the layouts documented in
// include/uapi/linux/perf_event.h, independently of the parser, so tests can
// feed the parser what the kernel would write.

// rawRecord returns a perf_event_header of type typ followed by body words.
func rawRecord(typ RecordType, misc uint16, body ...uint64) []byte {
	b := make([]byte, headerSize+8*len(body))
	binary.LittleEndian.PutUint32(b[0:], uint32(typ))
	binary.LittleEndian.PutUint16(b[4:], misc)
	binary.LittleEndian.PutUint16(b[6:], uint16(len(b)))
	for i, w := range body {
		binary.LittleEndian.PutUint64(b[headerSize+8*i:], w)
	}
	return b
}

// pair packs two u32 fields that share a u64 slot, first one first in memory.
func pair(lo, hi uint32) uint64 { return uint64(lo) | uint64(hi)<<32 }

// sampleWords lays out a PERF_RECORD_SAMPLE body for layout l.
func sampleWords(l Layout, s *Sample) []uint64 {
	var w []uint64
	t := l.SampleType
	if t&SampleIP != 0 {
		w = append(w, s.IP)
	}
	if t&SampleTID != 0 {
		w = append(w, pair(s.PID, s.TID))
	}
	if t&SampleTime != 0 {
		w = append(w, s.Time)
	}
	if t&SampleCPU != 0 {
		w = append(w, pair(s.CPU, 0))
	}
	if t&SamplePeriod != 0 {
		w = append(w, s.Period)
	}
	if t&SampleBranchStack != 0 {
		w = append(w, uint64(len(s.Branches.Entries)))
		if l.Branches&BranchHWIndex != 0 {
			w = append(w, s.Branches.HWIndex)
		}
		for _, e := range s.Branches.Entries {
			w = append(w, e.From, e.To, uint64(e.Flags))
		}
	}
	return w
}

// sampleIDWords lays out the sample_id trailer for layout l.
func sampleIDWords(l Layout, id SampleID) []uint64 {
	if !l.SampleIDAll {
		return nil
	}
	var w []uint64
	if l.SampleType&SampleTID != 0 {
		w = append(w, pair(id.PID, id.TID))
	}
	if l.SampleType&SampleTime != 0 {
		w = append(w, id.Time)
	}
	if l.SampleType&SampleCPU != 0 {
		w = append(w, pair(id.CPU, 0))
	}
	return w
}

// encode lays out any record the parser decodes.
func encode(l Layout, r Record) []byte {
	switch r := r.(type) {
	case *Sample:
		return rawRecord(RecordSample, r.Misc, sampleWords(l, r)...)
	case *Lost:
		return rawRecord(RecordLost, 0, append([]uint64{r.ID, r.Count}, sampleIDWords(l, r.SampleID)...)...)
	case *LostSamples:
		return rawRecord(RecordLostSamples, 0, append([]uint64{r.Count}, sampleIDWords(l, r.SampleID)...)...)
	case *Throttle:
		return rawRecord(r.Type(), 0, append([]uint64{r.Time, r.ID, r.StreamID}, sampleIDWords(l, r.SampleID)...)...)
	}
	panic("encode: unexpected record type")
}
