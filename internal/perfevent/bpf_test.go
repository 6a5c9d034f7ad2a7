package perfevent

import (
	"errors"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
)

// TestBPFOnSamplerFD shows how a backend runs an eBPF program on a perf
// event: the Sampler's fd is the target of a BPF_LINK_TYPE_PERF_EVENT link
// (link.AttachRawLink with ebpf.AttachPerfEvent, Linux 5.15+). The program
// counts its runs and returns 1, so every sample is also offered to the
// ring: its count must equal samples received plus samples lost, exactly
// (a run skipped by the kernel's recursion guard drops the sample too).
// The ring is read only at the end, so it overflows and no
// PERF_RECORD_LOST can follow: the lost count comes from PERF_FORMAT_LOST.
func TestBPFOnSamplerFD(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading eBPF programs needs root")
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Fatal(err)
	}
	runs, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer runs.Close()
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.PerfEvent,
		License: "GPL",
		Instructions: asm.Instructions{
			// runs[0]++, then keep the sample (return 1).
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.LoadMapPtr(asm.R1, runs.FD()),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
			asm.Mov.Imm(asm.R1, 1),
			asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
			asm.Mov.Imm(asm.R0, 1).WithSymbol("out"),
			asm.Return(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()

	const period = 1_000_000
	c := startChild(t, "spin", 150_000_000)
	s, err := OpenSampler(SamplerOptions{
		Event: CPUClock, Task: Task{Pid: c.pid, Disabled: true}, Period: period,
		SampleType: SampleIP | SampleTID | SampleTime | SampleCPU | SamplePeriod, RingPages: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, fd := range s.FDs() {
		l, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
		if errors.Is(err, ebpf.ErrNotSupported) {
			t.Skipf("no perf_event BPF links (5.15+): %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
	}
	if err := s.Enable(); err != nil {
		t.Fatal(err)
	}
	c.send()
	c.recv()
	c.wait()
	var ta tally
	drain(t, s, func(r Record) { ta.add(r, c.pid, period) })
	tot, err := s.Totals()
	if err != nil {
		t.Fatal(err)
	}
	if !tot.LostKnown {
		t.Skip("no PERF_FORMAT_LOST (6.0+): drops at the end of a run are not counted")
	}
	var n uint64
	if err := runs.Lookup(uint32(0), &n); err != nil {
		t.Fatal(err)
	}
	t.Logf("eBPF program ran %d times; ring: %d samples, %d lost by PERF_FORMAT_LOST, %d by PERF_RECORD_LOST", n, ta.samples, tot.Lost, ta.lost)
	if n == 0 || tot.Lost == 0 || n != uint64(ta.samples)+tot.Lost {
		t.Errorf("eBPF program ran %d times for %d samples + %d lost", n, ta.samples, tot.Lost)
	}
}
