package perfevent

import "fmt"

// branchEntrySize is sizeof(struct perf_branch_entry): from, to, flags.
const branchEntrySize = 24

// Sample is PERF_RECORD_SAMPLE with the fields of [SampleType] this package
// decodes; fields not in the layout stay zero.
type Sample struct {
	Misc     uint16 // perf_event_header.misc: PERF_RECORD_MISC_USER/KERNEL, EXACT_IP…
	IP       uint64
	PID, TID uint32
	Time     uint64 // ns, the perf clock (CLOCK_MONOTONIC since 4.1 unless attr.clockid)
	CPU      uint32
	Period   uint64 // events since the previous sample
	Branches BranchStack
}

// BranchStack is a sample's branch stack, most recent branch first.
type BranchStack struct {
	// HWIndex is the hardware LBR's index of its most recent entry, or
	// ^0 when the hardware did not say; set with [BranchHWIndex].
	HWIndex    uint64
	HasHWIndex bool
	Entries    []BranchEntry
}

// parseSample reads the sample fields in their ABI order:
// IDENTIFIER, IP, TID, TIME, ADDR, ID, STREAM_ID, CPU, PERIOD, READ,
// CALLCHAIN, RAW, BRANCH_STACK… of which Layout.Validate admits only the
// ones read here.
func (l Layout) parseSample(d *decoder, misc uint16) *Sample {
	s := &Sample{Misc: misc}
	t := l.SampleType
	if t&SampleIP != 0 {
		s.IP = d.u64()
	}
	if t&SampleTID != 0 {
		s.PID, s.TID = d.u32pair()
	}
	if t&SampleTime != 0 {
		s.Time = d.u64()
	}
	if t&SampleCPU != 0 {
		s.CPU, _ = d.u32pair()
	}
	if t&SamplePeriod != 0 {
		s.Period = d.u64()
	}
	if t&SampleBranchStack != 0 {
		s.Branches = l.parseBranchStack(d)
	}
	return s
}

// parseBranchStack reads { u64 nr; { u64 hw_idx; } && HW_INDEX;
// { u64 from, to, flags; } lbr[nr]; }.
func (l Layout) parseBranchStack(d *decoder) BranchStack {
	var bs BranchStack
	nr := d.u64()
	if l.Branches&BranchHWIndex != 0 {
		bs.HWIndex, bs.HasHWIndex = d.u64(), true
	}
	if d.err != nil {
		return bs
	}
	// Check nr against the bytes left before allocating for it.
	if nr > uint64(d.remaining()/branchEntrySize) {
		d.err = fmt.Errorf("%w: branch stack of %d entries in %d bytes", errShort, nr, d.remaining())
		return bs
	}
	bs.Entries = make([]BranchEntry, nr)
	for i := range bs.Entries {
		bs.Entries[i] = BranchEntry{From: d.u64(), To: d.u64(), Flags: BranchFlags(d.u64())}
	}
	return bs
}
