package lbr

import (
	"encoding/binary"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/perf"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
	"github.com/tracebench/tracebench/internal/perfevent"
	"github.com/tracebench/tracebench/internal/testutil"
)

// TestUnsupportedHere: where the kernel gives no branch stack (every
// machine tracebench was developed on), both modes of every event are
// unsupported with class no-pmu, found by really trying, and the reason
// says the backend is not verified on hardware.
func TestUnsupportedHere(t *testing.T) {
	testutil.RequireRoot(t)
	if err := perfevent.ProbeBranchStack(perfevent.BranchAny); err == nil {
		t.Skip("this machine has a branch stack")
	} else if !errors.Is(err, perfevent.ErrNoBranchStack) {
		t.Fatalf("ProbeBranchStack: %v", err)
	}
	sup, err := New().Probe(t.Context(), backends.ProbeRequest{Events: event.All, Modes: []backends.Mode{Any, CallStack}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sup) != 2*len(event.All) {
		t.Fatalf("%d answers", len(sup))
	}
	for _, s := range sup {
		if s.Reason == nil || s.Reason.Class != backends.NoPMU || !strings.Contains(s.Reason.Detail, "not verified on hardware") {
			t.Errorf("%s %s: %+v, want no-pmu, not verified on hardware", s.Mode, s.Event, s.Reason)
		}
	}
	res, err := New().Setup(t.Context(), backends.Setup{Events: []event.Event{event.Openat}, Mode: Any})
	if err != nil {
		t.Fatal(err)
	}
	if res.Facts["verified_on_hardware"] != NotVerified || res.Facts["branch_filter"] != "user,kernel,any,save_type" {
		t.Errorf("setup facts %v", res.Facts)
	}
}

// branch is one struct perf_branch_entry.
type branch struct{ from, to, flags uint64 }

// sampleRecord builds a PERF_RECORD_SAMPLE as the kernel lays it out for
// perf.SampleType with a branch stack: header, ip, pid/tid, time,
// cpu/res, period, then nr and the entries.
func sampleRecord(ip uint64, branches ...branch) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 9) // PERF_RECORD_SAMPLE
	b = binary.LittleEndian.AppendUint16(b, 1)    // misc: kernel
	size := 8 + 5*8 + 8 + 24*len(branches)
	b = binary.LittleEndian.AppendUint16(b, uint16(size))
	for _, v := range []uint64{ip, 42 | 43<<32, 1_000_000, 1, 10007, uint64(len(branches))} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	for _, e := range branches {
		for _, v := range []uint64{e.from, e.to, e.flags} {
			b = binary.LittleEndian.AppendUint64(b, v)
		}
	}
	return b
}

// syscallType is a branch entry's flags with type PERF_BR_SYSCALL
// (bits 20–23), callType PERF_BR_CALL.
const syscallType, callType = 7 << 20, 4 << 20

// TestReading parses hand-built sample records with known addresses, as the
// ring buffer would hold them, and reads their branch stacks: a system
// call entering the kernel's entry and calling the event's function, a
// stack of user branches only, and a sample without a stack.
func TestReading(t *testing.T) {
	const entry, handler = 0xffffffff81000080, 0xffffffff81377d40
	marks := []Landmark{
		{Role: "syscall_entry", Name: "entry_SYSCALL_64", Lo: entry, Hi: entry + 0x80},
		{Role: "event_function", Name: "__x64_sys_getppid", Lo: handler, Hi: handler + 0x40},
	}
	layout := perfevent.Layout{SampleType: perf.SampleType | perfevent.SampleBranchStack, Branches: Filters[Any], SampleIDAll: true}
	records := [][]byte{
		sampleRecord(0x401234,
			branch{0xffffffff81377d70, 0xffffffff810001f0, 0}, // return from the handler
			branch{0xffffffff81000100, handler, callType},     // the entry code calls the handler
			branch{0x401230, entry, syscallType},              // the syscall instruction
			branch{0x401200, 0x401228, 0}),                    // the workload's loop
		sampleRecord(0x401230, branch{0x401230, 0x401200, 0}, branch{0x401200, 0x401228, 0}),
		sampleRecord(0x401230),
	}
	var r Reading
	for i, raw := range records {
		rec, err := layout.Parse(raw)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		s, ok := rec.(*perfevent.Sample)
		if !ok || s.PID != 42 || s.TID != 43 || s.Period != 10007 {
			t.Fatalf("record %d parsed as %#v", i, rec)
		}
		r.Add(s, marks)
	}
	want := map[string]uint64{
		"lbr_samples_with_stack": 2, "lbr_entries": 6, "lbr_to_user": 3, "lbr_to_kernel": 3,
		"lbr_user_to_kernel": 1, "lbr_syscall_branches": 1,
		"lbr_samples_showing_syscall_entry": 1, "lbr_samples_showing_event_function": 1,
	}
	if got := r.Totals(marks); !maps.Equal(got, want) {
		t.Errorf("totals %v, want %v", got, want)
	}
	if got, want := Facts(marks), map[string]string{"lbr_syscall_entry": "entry_SYSCALL_64", "lbr_event_function": "__x64_sys_getppid"}; !maps.Equal(got, want) {
		t.Errorf("facts %v, want %v", got, want)
	}
}

// TestLandmarksOfThisKernel resolves the landmarks of every event in this
// kernel's symbol table and reads a record whose branches go to them:
// each must be shown.
func TestLandmarksOfThisKernel(t *testing.T) {
	testutil.RequireRoot(t)
	tab, err := ksym.KernelTable()
	if err != nil {
		t.Fatal(err)
	}
	layout := perfevent.Layout{SampleType: perf.SampleType | perfevent.SampleBranchStack, Branches: Filters[Any], SampleIDAll: true}
	for _, ev := range event.All {
		marks := Landmarks(tab, ev)
		if len(marks) != 2 || marks[0].Role != "syscall_entry" || marks[1].Role != "event_function" {
			t.Errorf("%s: landmarks %+v, want the syscall entry and the event's function", ev, marks)
			continue
		}
		raw := sampleRecord(0x401000, branch{marks[1].Lo + 4, 0x401000, 0}, branch{0x400ff0, marks[0].Lo, syscallType})
		rec, err := layout.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		var r Reading
		r.Add(rec.(*perfevent.Sample), marks)
		if r.Landmarks["syscall_entry"] != 1 || r.Landmarks["event_function"] != 1 {
			t.Errorf("%s: %+v with landmarks %+v", ev, r, marks)
		}
	}
}
