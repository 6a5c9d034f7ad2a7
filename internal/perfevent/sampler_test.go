package perfevent

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// drain reads the sampler until the followed tasks have exited, handing
// every record to fn. A wait that sees nothing for a long time fails the
// test rather than hanging it.
func drain(t *testing.T, s *Sampler, fn func(Record)) {
	t.Helper()
	quiet := 0
	for {
		err := s.Wait(5 * time.Second)
		if rerr := s.Read(func(r Record) error { fn(r); return nil }); rerr != nil {
			t.Fatal(rerr)
		}
		switch {
		case errors.Is(err, ErrExited):
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			if quiet++; quiet == 12 {
				t.Fatal("no wakeup nor exit in a minute")
			}
		case err != nil:
			t.Fatal(err)
		default:
			quiet = 0
		}
	}
}

// tally counts what a sampler delivered.
type tally struct {
	samples, lost, throttles, other int
	userMode                        int
	bad                             []string
}

func (ta *tally) add(r Record, pid int, period uint64) {
	switch r := r.(type) {
	case *Sample:
		ta.samples++
		if r.Misc&unix.PERF_RECORD_MISC_CPUMODE_MASK == unix.PERF_RECORD_MISC_USER {
			ta.userMode++
		}
		if r.PID != uint32(pid) || r.Period != period || r.IP == 0 || r.Time == 0 || int(r.CPU) >= 1024 {
			ta.bad = append(ta.bad, "sample")
		}
	case *Lost:
		ta.lost += int(r.Count)
		if r.PID != uint32(pid) {
			ta.bad = append(ta.bad, "lost")
		}
	case *Throttle:
		ta.throttles++
	default:
		ta.other++
	}
}

// checkProportional checks that the samples taken (received and lost) match
// the CPU time the child ran, by its task-clock, divided by the period. The
// cpu-clock timer keeps the rest of its period when the task is switched
// out, so only timer latency (late firing shortens the count) and the edges
// of the run separate the two (measured: 0.99 on the host): a band of
// 0.8–1.05 cannot fail by chance, yet catches a ring left unread.
func checkProportional(t *testing.T, ta *tally, taskClock, period uint64) {
	t.Helper()
	want := float64(taskClock) / float64(period)
	got := float64(ta.samples + ta.lost)
	t.Logf("%d samples + %d lost for %d ns of task-clock at a %d ns period: %.0f expected (%.3f)",
		ta.samples, ta.lost, taskClock, period, want, got/want)
	if got < 0.8*want || got > 1.05*want+2 {
		t.Errorf("%.0f samples taken, %.0f expected from the task-clock", got, want)
	}
	if len(ta.bad) > 0 {
		t.Errorf("%d records with wrong fields: %v", len(ta.bad), ta.bad[:min(len(ta.bad), 5)])
	}
	if ta.samples > 0 && ta.userMode*2 < ta.samples {
		t.Errorf("only %d of %d samples in user mode; the child spins in user mode", ta.userMode, ta.samples)
	}
}

// TestSampleCPUClock samples a spinning child and its future children
// (inherit, so one ring per CPU) every millisecond of CPU time.
func TestSampleCPUClock(t *testing.T) {
	const period = 1_000_000
	c := startChild(t, "spin", 300_000_000)
	task := Task{Pid: c.pid, Inherit: true, Disabled: true}
	s, err := OpenSampler(SamplerOptions{
		Event: CPUClock, Task: task, Period: period,
		SampleType:   SampleIP | SampleTID | SampleTime | SampleCPU | SamplePeriod,
		WakeupEvents: 16,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if cpus, _ := onlineCPUs(); len(s.FDs()) != len(cpus) {
		t.Errorf("inherited sampler has %d rings for %d CPUs", len(s.FDs()), len(cpus))
	}
	clock, err := OpenCounter(TaskClock, task)
	if err != nil {
		t.Fatal(err)
	}
	defer clock.Close()
	if err := s.Enable(); err != nil {
		t.Fatal(err)
	}
	if err := clock.Enable(); err != nil {
		t.Fatal(err)
	}
	c.send()
	var ta tally
	drain(t, s, func(r Record) { ta.add(r, c.pid, period) })
	c.recv()
	c.wait()
	tc, err := clock.Read()
	if err != nil {
		t.Fatal(err)
	}
	checkProportional(t, &ta, tc.Value, period)
}

// TestSampleSmallRing samples every 50 µs of CPU into a one-page ring (85
// records fit) that is not read while the child spins its first 100 ms, so
// the kernel must drop samples and say so with PERF_RECORD_LOST once there
// is room again; then it is read while the child spins on, so records wrap
// around the end of the ring again and again. Samples plus lost must still
// match the task-clock.
func TestSampleSmallRing(t *testing.T) {
	const period = 50_000
	c := startChild(t, "spin", 80_000_000, 80_000_000)
	task := Task{Pid: c.pid, Disabled: true}
	s, err := OpenSampler(SamplerOptions{
		Event: CPUClock, Task: task, Period: period,
		SampleType: SampleIP | SampleTID | SampleTime | SampleCPU | SamplePeriod,
		RingPages:  1, WakeupEvents: 16,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clock, err := OpenCounter(TaskClock, task)
	if err != nil {
		t.Fatal(err)
	}
	defer clock.Close()
	if err := s.Enable(); err != nil {
		t.Fatal(err)
	}
	if err := clock.Enable(); err != nil {
		t.Fatal(err)
	}

	// Follow the ring position of each record, to see which cross its end.
	ringSize := uint64(os.Getpagesize())
	var ta tally
	var pos uint64
	var lostRecords, straddled int
	record := func(r Record) {
		ta.add(r, c.pid, period)
		size := uint64(0)
		if o, ok := r.(*Other); ok {
			size = uint64(o.Size)
		} else {
			size = uint64(len(encode(s.Layout(), r)))
		}
		if pos%ringSize+size > ringSize {
			straddled++
		}
		pos += size
		if _, ok := r.(*Lost); ok {
			lostRecords++
		}
	}

	c.send() // phase 1, unread
	c.recv()
	if err := s.Read(func(r Record) error { record(r); return nil }); err != nil {
		t.Fatal(err)
	}
	if pos > ringSize {
		t.Fatalf("read %d bytes from a %d-byte ring", pos, ringSize)
	}
	c.send() // phase 2, read as it comes
	drain(t, s, record)
	c.recv()
	c.wait()
	tc, err := clock.Read()
	if err != nil {
		t.Fatal(err)
	}
	checkProportional(t, &ta, tc.Value, period)
	if tot, err := s.Totals(); err != nil {
		t.Error(err)
	} else if tot.LostKnown && tot.Lost < uint64(ta.lost) {
		t.Errorf("PERF_FORMAT_LOST counts %d lost, fewer than the %d of the LOST records", tot.Lost, ta.lost)
	} else {
		t.Logf("kernel totals: %+v", tot)
	}
	t.Logf("%d bytes through a %d-byte ring, %d records across its end, %d LOST records, %d throttle records",
		pos, ringSize, straddled, lostRecords, ta.throttles)
	if lostRecords == 0 || ta.lost == 0 {
		t.Errorf("no PERF_RECORD_LOST after the ring overflowed")
	}
	if pos < 10*ringSize || straddled == 0 {
		t.Errorf("%d bytes, %d records across the end: the ring did not wrap", pos, straddled)
	}
}

// TestWaitInterrupt checks that Interrupt wakes a Wait blocked forever in
// another goroutine, and that the wakeup is consumed.
func TestWaitInterrupt(t *testing.T) {
	s, err := OpenSampler(SamplerOptions{Event: CPUClock, Task: Task{ExcludeKernel: true, Disabled: true}, Period: 1_000_000, SampleType: SampleIP})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done := make(chan error)
	go func() { done <- s.Wait(-1) }()
	if err := s.Interrupt(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrInterrupted) {
		t.Errorf("Wait after Interrupt = %v, want ErrInterrupted", err)
	}
	if err := s.Wait(10 * time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("second Wait on a disabled event = %v, want os.ErrDeadlineExceeded", err)
	}
}
