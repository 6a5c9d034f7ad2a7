package perfevent

import (
	"debug/elf"
	"errors"
	"os"
	"testing"
)

// These tests need a hardware PMU: the arm64 guest (armv8_pmuv3 under
// qemu) has one, the host and x86 guests do not and skip them with the
// classified reason. Under emulation only relations between counts are
// asserted, in wide bands.

func needPMU(t *testing.T) {
	t.Helper()
	if err := ProbeHardware(); err != nil {
		t.Skipf("no hardware counters here: %v", err)
	}
}

// TestHardwareCountsScale counts a child's user-mode instructions and
// cycles over a loop of n iterations and then of 4n: the second must count
// about four times the first (within a wide band: cycles depend on
// frequency scaling, and under emulation on the host's load). A first, unmeasured run of the loop lets
// qemu translate its code, whose time its emulated cycle counter would
// otherwise charge to the first measurement (ratio 2.9 instead of 4). Instructions must also be at least 2 per
// iteration (the loop body has a multiply-add, a counter update and a
// branch). A generic event the PMU lacks (qemu counts instructions only
// with -icount) is skipped with its reason.
func TestHardwareCountsScale(t *testing.T) {
	needPMU(t)
	const n = 10_000_000
	c := startChild(t, "spin", n/10, n, 4*n)
	c.send()
	c.recv()
	task := Task{Pid: c.pid, ExcludeKernel: true, Disabled: true}
	bands := map[Event][2]float64{Instructions: {3, 5}, Cycles: {2, 8}}
	if emulated() {
		// qemu's cycle counter follows the host's clock: a loaded host
		// stretches either run (measured 3.0–6.9).
		bands[Cycles] = [2]float64{1.5, 16}
	}
	var events []Event
	var counters []*Counter
	for _, ev := range []Event{Instructions, Cycles} {
		ctr, err := OpenCounter(ev, task)
		if errors.Is(err, ErrNoHardwareEvent) {
			t.Logf("%s: %v", ev, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		defer ctr.Close()
		if err := ctr.Enable(); err != nil {
			t.Fatal(err)
		}
		events, counters = append(events, ev), append(counters, ctr)
	}
	if len(counters) == 0 {
		t.Skip("the PMU counts neither instructions nor cycles")
	}
	read := func() []uint64 {
		t.Helper()
		v := make([]uint64, len(counters))
		for i, ctr := range counters {
			cnt, err := ctr.Read()
			if err != nil {
				t.Fatal(err)
			}
			v[i] = cnt.Scaled()
		}
		return v
	}
	c.send()
	c.recv()
	first := read()
	c.send()
	c.recv()
	both := read()
	c.wait()
	for i, ev := range events {
		one, four := first[i], both[i]-first[i]
		ratio := float64(four) / float64(one)
		t.Logf("%s: %d for %d iterations, %d for %d: ratio %.3f", ev, one, n, four, 4*n, ratio)
		if band := bands[ev]; !(ratio >= band[0] && ratio <= band[1]) {
			t.Errorf("%s: ratio %.3f for 4x the iterations, want %.0f–%.0f", ev, ratio, band[0], band[1])
		}
		if ev == Instructions && one < 2*n {
			t.Errorf("instructions: %d for %d iterations", one, n)
		}
	}
}

// TestHardwareSamplingFrequencies samples a child's cycles at 100 Hz and at
// 400 Hz at the same time: the second must take about four times the
// samples (received plus lost) of the first. The kernel adjusts the period
// to the frequency once per tick, so the faster sampler lags a little:
// measured 3.0 in the arm64 guest with -icount shift=0, 2.3–3.6 without
// (1.5–8 is asserted under emulation, 2–8 elsewhere).
func TestHardwareSamplingFrequencies(t *testing.T) {
	needPMU(t)
	c := startChild(t, "spin", 300_000_000)
	task := Task{Pid: c.pid, ExcludeKernel: true, Disabled: true}
	var samplers []*Sampler
	for _, hz := range []uint64{100, 400} {
		s, err := OpenSampler(SamplerOptions{Event: Cycles, Task: task, Frequency: hz, SampleType: SampleIP | SampleTID | SamplePeriod, RingPages: 64})
		if errors.Is(err, ErrNoHardwareEvent) {
			t.Skipf("the PMU cannot sample cycles: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		samplers = append(samplers, s)
	}
	for _, s := range samplers {
		if err := s.Enable(); err != nil {
			t.Fatal(err)
		}
	}
	c.send()
	c.recv()
	c.wait()
	var taken [2]uint64
	for i, s := range samplers {
		var samples, throttles int
		drain(t, s, func(r Record) {
			switch r := r.(type) {
			case *Sample:
				if r.PID == uint32(c.pid) && r.Period > 0 {
					samples++
				}
			case *Throttle:
				throttles++
			}
		})
		tot, err := s.Totals()
		if err != nil {
			t.Fatal(err)
		}
		taken[i] = uint64(samples) + tot.Lost
		t.Logf("sampler %d: %d samples, %d lost, %d throttle records, %d cycles", i, samples, tot.Lost, throttles, tot.Value)
	}
	if taken[0] == 0 {
		t.Fatal("no samples at 100 Hz")
	}
	ratio := float64(taken[1]) / float64(taken[0])
	t.Logf("400 Hz / 100 Hz: %d / %d samples = %.3f", taken[1], taken[0], ratio)
	low := 2.0
	if emulated() {
		low = 1.5
	}
	if ratio < low || ratio > 8 {
		t.Errorf("400 Hz took %.3f times the samples of 100 Hz, want about 4", ratio)
	}
}

// TestBranchStackSampling runs only where a branch stack exists (none of
// tracebench's machines: LBR is not verified on hardware here). It samples
// a spinning child's cycles with any-branch stacks and expects the spin
// loop's back edge, a branch from inside spin to inside spin, in them.
func TestBranchStackSampling(t *testing.T) {
	filter := BranchAny | BranchUser | BranchHWIndex
	if err := ProbeBranchStack(filter); err != nil {
		t.Skipf("no branch stack here: %v", err)
	}
	lo, hi := symbolRange(t, "github.com/tracebench/tracebench/internal/perfevent.spin")
	c := startChild(t, "spin", 100_000_000)
	s, err := OpenSampler(SamplerOptions{
		Event: Cycles, Task: Task{Pid: c.pid, ExcludeKernel: true, Disabled: true},
		Period: 1_000_003, SampleType: SampleIP | SampleTID, Branches: filter,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Enable(); err != nil {
		t.Fatal(err)
	}
	c.send()
	var samples, withStack, backEdges int
	drain(t, s, func(r Record) {
		smp, ok := r.(*Sample)
		if !ok {
			return
		}
		samples++
		if len(smp.Branches.Entries) > 0 {
			withStack++
		}
		for _, e := range smp.Branches.Entries {
			if e.From >= lo && e.From < hi && e.To >= lo && e.To < hi {
				backEdges++
			}
		}
	})
	c.recv()
	c.wait()
	t.Logf("%d samples, %d with a branch stack, %d branches inside spin [%#x, %#x)", samples, withStack, backEdges, lo, hi)
	if samples == 0 || withStack*2 < samples || backEdges == 0 {
		t.Errorf("%d samples, %d with a branch stack, %d branches of the spin loop", samples, withStack, backEdges)
	}
}

// symbolRange finds a function's address range in the test binary, which
// is not position independent: the child has the same addresses.
func symbolRange(t *testing.T, name string) (uint64, uint64) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == name && s.Size > 0 {
			if f.Type == elf.ET_DYN {
				t.Skipf("%s is position independent: addresses differ per process", exe)
			}
			return s.Value, s.Value + s.Size
		}
	}
	t.Fatalf("no symbol %s in %s", name, exe)
	return 0, 0
}
