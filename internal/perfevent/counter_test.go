package perfevent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// needKernelProfiling skips a test that counts kernel-side events (such as
// tracepoints) unless it may: root, or kernel.perf_event_paranoid <= 1.
func needKernelProfiling(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if level, err := Paranoid(); err != nil || level > 1 {
		t.Skipf("counting kernel events needs root or kernel.perf_event_paranoid <= 1 (have %d, %v)", level, err)
	}
}

// getsidEvent is the syscalls:sys_enter_getsid tracepoint, which only the
// test's own getsid(2) calls pass: the Go runtime never makes that call.
// Not getppid: tracebench's eBPF backends hook that one, and an eBPF
// program returning 0 on a tracepoint silences its perf events (see
// Tracepoint), which would break these counts when tests run in parallel.
func getsidEvent(t *testing.T) Event {
	t.Helper()
	ev, err := TracepointAt(tracefs(t), "syscalls", "sys_enter_getsid")
	if errors.Is(err, ErrUnknownEvent) {
		t.Skipf("no syscall tracepoints (CONFIG_FTRACE_SYSCALLS): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// tracefs returns where tracefs is mounted. If it is nowhere, the test (as
// root) mounts it at a private directory and unmounts it at its end, since
// the machine's mounts must be left as found.
func tracefs(t *testing.T) string {
	t.Helper()
	for _, dir := range tracefsDirs {
		if _, err := os.Stat(filepath.Join(dir, "events")); err == nil {
			return dir
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("tracefs is not mounted and mounting it needs root")
	}
	dir := t.TempDir()
	if err := unix.Mount("nodev", dir, "tracefs", 0, ""); err != nil {
		t.Skipf("mount tracefs (CONFIG_TRACING): %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount private tracefs at %s: %v", dir, err)
		}
		if mounts, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mounts), " "+dir+" ") {
			t.Errorf("tracefs still mounted at %s", dir)
		}
	})
	return dir
}

// TestCountPageFaultsExact counts the page faults of one thread of a child
// that writes once into each of 3000 fresh anonymous pages. The count is
// exact: the counter follows only that thread (no inherit) and is enabled
// while the thread is blocked in read(2); between that read and its next
// write(2) the thread only touches the pages (transparent huge pages are
// off for the mapping, preemption signals are off, every call was made once
// before); the kernel's own per-thread minor fault count, read by the child
// with getrusage(RUSAGE_THREAD) around the loop, must agree.
func TestCountPageFaultsExact(t *testing.T) {
	const pages = 3000
	c := startChild(t, "touch", pages)
	tid := int(c.recv())
	ctr, err := OpenCounter(PageFaults, Task{Pid: tid, Disabled: true, ExcludeKernel: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ctr.Close()
	if err := ctr.Enable(); err != nil {
		t.Fatal(err)
	}
	c.send()
	rusageFaults := c.recv()
	if err := ctr.Disable(); err != nil {
		t.Fatal(err)
	}
	got, err := ctr.Read()
	if err != nil {
		t.Fatal(err)
	}
	c.wait()
	if got.Value != pages || rusageFaults != pages {
		t.Errorf("page-faults counted %d, getrusage says %d; the child touched %d fresh pages", got.Value, rusageFaults, pages)
	}
	if got.Multiplexed() || got.Enabled == 0 {
		t.Errorf("software counter times: %+v; want enabled == running > 0", got)
	}
}

// TestCountInherit counts getsid(2) calls (a tracepoint event) in a child
// that makes 500 calls itself and runs 3 children of its own making 200
// each: 1100 with inherit, 500 without. The group, read once, must hold the
// same count next to the child tree's task-clock.
func TestCountInherit(t *testing.T) {
	needKernelProfiling(t)
	ev := getsidEvent(t)
	const calls, kids, kidCalls = 500, 3, 200
	c := startChild(t, "getsid", calls, kids, kidCalls)

	tree, err := OpenCounter(ev, Task{Pid: c.pid, Inherit: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	self, err := OpenCounter(ev, Task{Pid: c.pid})
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	group, err := OpenGroup([]Event{ev, TaskClock, PageFaults}, Task{Pid: c.pid, Inherit: true})
	if err != nil {
		t.Fatal(err)
	}
	defer group.Close()

	c.send()
	if made := c.recv(); made != calls+kids*kidCalls {
		t.Fatalf("child reports %d calls", made)
	}
	c.wait()
	treeCount, err := tree.Read()
	if err != nil {
		t.Fatal(err)
	}
	selfCount, err := self.Read()
	if err != nil {
		t.Fatal(err)
	}
	groupCounts, err := group.Read()
	if err != nil {
		t.Fatal(err)
	}
	if treeCount.Value != calls+kids*kidCalls {
		t.Errorf("inherited counter: %d getsid calls, want %d", treeCount.Value, calls+kids*kidCalls)
	}
	if selfCount.Value != calls {
		t.Errorf("counter without inherit: %d getsid calls, want %d", selfCount.Value, calls)
	}
	if groupCounts[0].Value != calls+kids*kidCalls {
		t.Errorf("group: %d getsid calls, want %d", groupCounts[0].Value, calls+kids*kidCalls)
	}
	// Three Go processes started and ran: each takes well over 100 page
	// faults and 100 µs of CPU.
	if groupCounts[1].Value < 3*100_000 || groupCounts[2].Value < 3*100 {
		t.Errorf("group: task-clock %d ns, page-faults %d; want the whole tree's", groupCounts[1].Value, groupCounts[2].Value)
	}
	t.Logf("tree: %d getsid, %d ns task-clock, %d page faults", groupCounts[0].Value, groupCounts[1].Value, groupCounts[2].Value)
}

// TestCountEnableDisable checks that a disabled counter does not count and
// that Reset zeroes it, on this test's own thread.
func TestCountEnableDisable(t *testing.T) {
	needKernelProfiling(t)
	ev := getsidEvent(t)
	lockThread(t)
	c, err := OpenCounter(ev, Task{Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	calls := func(n int) {
		for range n {
			getsid()
		}
	}
	read := func() uint64 {
		t.Helper()
		v, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		return v.Value
	}
	calls(10)
	if v := read(); v != 0 {
		t.Fatalf("disabled counter counted %d", v)
	}
	if err := c.Enable(); err != nil {
		t.Fatal(err)
	}
	calls(7)
	if err := c.Disable(); err != nil {
		t.Fatal(err)
	}
	calls(10)
	if v := read(); v != 7 {
		t.Errorf("counted %d calls, want 7", v)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if v := read(); v != 0 {
		t.Errorf("after reset: %d", v)
	}
}
