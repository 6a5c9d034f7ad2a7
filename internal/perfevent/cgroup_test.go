package perfevent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/internal/cgroup"
	"github.com/tracebench/tracebench/internal/mounts"
)

// testCgroup creates a cgroup v2 for the test and removes it at its end.
func testCgroup(t *testing.T) *cgroup.Group {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("creating a cgroup and opening cgroup events need root")
	}
	root, err := mounts.Find("cgroup2")
	if err != nil || root == "" {
		t.Skipf("no cgroup2 mount: %v", err)
	}
	g, err := cgroup.Create(root, fmt.Sprintf("tracebench-perfevent-%d", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Remove(); err != nil {
			t.Errorf("remove cgroup %s: %v", g.Path, err)
		}
	})
	return g
}

// TestCgroupCountExact counts syscalls:sys_enter_getsid in a cgroup on
// every CPU while a child in it makes 3000 calls on its main thread and then
// starts 3 children of its own (in the cgroup too, by birth) that make 700
// each; a second child outside the cgroup makes calls at the same time. The
// count must be exactly 3000 + 3×700: a cgroup event follows the whole
// process tree, threads and children alike, and nothing outside it.
func TestCgroupCountExact(t *testing.T) {
	g := testCgroup(t)
	ev := getsidEvent(t)
	c, err := OpenCounter(ev, Task{Cgroup: g.Path, Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if cpus, _ := onlineCPUs(); len(c.FDs()) != len(cpus) {
		t.Errorf("cgroup counter has %d events for %d CPUs", len(c.FDs()), len(cpus))
	}
	in := startChild(t, "getsid", 3000, 3, 700)
	if err := g.Add(in.pid); err != nil {
		t.Fatal(err)
	}
	noise := startChild(t, "getsid", 5000, 1, 500)
	if err := c.Enable(); err != nil {
		t.Fatal(err)
	}
	noise.send()
	in.send()
	want := in.recv()
	noise.recv()
	in.wait()
	noise.wait()
	got, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d getsid calls counted in the cgroup, %d made there; enabled %d ns, running %d ns", got.Value, want, got.Enabled, got.Running)
	if got.Value != want || want != 3000+3*700 {
		t.Errorf("counted %d, want %d", got.Value, want)
	}
	if got.Running == 0 || got.Running > got.Enabled {
		t.Errorf("running %d ns of %d enabled", got.Running, got.Enabled)
	}
}

// TestCgroupSampler samples a spinning child in a cgroup every 4 ms of
// cpu-clock with one ring per CPU: every sample must come from the child,
// and samples taken (received and lost) must match the time the event ran,
// which for a cgroup event is the time the cgroup's tasks ran.
func TestCgroupSampler(t *testing.T) {
	const period = 4_000_000
	g := testCgroup(t)
	s, err := OpenSampler(SamplerOptions{
		Event: CPUClock, Task: Task{Cgroup: g.Path, Disabled: true}, Period: period,
		SampleType: SampleIP | SampleTID | SampleTime | SampleCPU | SamplePeriod, WakeupEvents: 16,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if cpus, _ := onlineCPUs(); len(s.FDs()) != len(cpus) {
		t.Errorf("cgroup sampler has %d rings for %d CPUs", len(s.FDs()), len(cpus))
	}
	c := startChild(t, "spin", 300_000_000)
	if err := g.Add(c.pid); err != nil {
		t.Fatal(err)
	}
	if err := s.Enable(); err != nil {
		t.Fatal(err)
	}
	c.send()
	c.recv()
	c.wait()
	if err := s.Disable(); err != nil {
		t.Fatal(err)
	}
	var ta tally
	if err := s.Read(func(r Record) error { ta.add(r, c.pid, period); return nil }); err != nil {
		t.Fatal(err)
	}
	tot, err := s.Totals()
	if err != nil {
		t.Fatal(err)
	}
	ta.lost = max(ta.lost, int(tot.Lost))
	if tot.Running > tot.Enabled || tot.Value == 0 || tot.Running == 0 && tot.Implausible == 0 {
		t.Errorf("totals %+v: the event never ran", tot)
	}
	// A cpu-clock event counts the ns it ran itself; its times come from
	// the cgroup's clock, which Totals may have had to drop.
	checkProportional(t, &ta, tot.Value, period)
}

// TestTotalsImplausible checks that a ring reporting more time than its
// sampler has existed keeps its count and loss but not its times.
func TestTotalsImplausible(t *testing.T) {
	ring := func(v, enabled, running, lost uint64) []byte {
		return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(
			binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, v), enabled), running), lost)
	}
	var tot Totals
	tot.add(ring(10, 100, 90, 1), true, 1000)
	tot.add(ring(5, 10_684_028_538_381, 10_684_028_538_381, 2), true, 1000)
	tot.add(ring(7, 1000, 1000, 9), false, 1000)
	want := Totals{Value: 22, Enabled: 1100, Running: 1090, Lost: 3, Implausible: 1}
	if tot != want {
		t.Errorf("totals %+v, want %+v", tot, want)
	}
}

// TestCgroupErrors checks the classes of a cgroup scope the kernel or this
// package refuses.
func TestCgroupErrors(t *testing.T) {
	g := testCgroup(t)
	dir := t.TempDir()
	_, err := OpenCounter(TaskClock, Task{Cgroup: dir})
	if !errors.Is(err, ErrInvalid) || !errors.Is(err, unix.EBADF) {
		t.Errorf("cgroup %s (not a cgroup): %v, want ErrInvalid with EBADF", dir, err)
	}
	_, err = OpenCounter(TaskClock, Task{Cgroup: dir + "/none"})
	if !errors.Is(err, ErrInvalid) || !errors.Is(err, unix.ENOENT) {
		t.Errorf("missing cgroup: %v, want ErrInvalid with ENOENT", err)
	}
	// A hardware event the machine lacks is the PMU's refusal, not the
	// cgroup's, although both say ENOENT.
	if hw := ProbeHardware(); errors.Is(hw, ErrNoPMU) {
		_, err := OpenCounter(Cycles, Task{Cgroup: g.Path})
		if !errors.Is(err, ErrNoPMU) {
			t.Errorf("cycles on a cgroup without a PMU: %v, want ErrNoPMU", err)
		}
	}
	for _, task := range []Task{{Cgroup: g.Path, Pid: 1}, {Cgroup: g.Path, Inherit: true}, {Cgroup: g.Path, EnableOnExec: true}} {
		if _, err := OpenCounter(TaskClock, task); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", task, err)
		}
	}
}
