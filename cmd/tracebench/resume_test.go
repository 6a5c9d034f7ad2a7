package main

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

// SIGINT in the middle of a run restores the kernel state and keeps the
// finished cells; --resume then measures exactly the missing ones.
func TestInterruptAndResume(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	bin := testutil.Binary(t)
	dir := t.TempDir()
	run := exec.Command(bin, "run", "--backend", "ebpf/tracepoint", "--event", "getppid,openat,connect", "--mode", "count", "--budget", "3s", "--out", dir)
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	var first *results.Run
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if r, err := results.ReadDir(dir); err == nil && len(r.Cells) == 1 {
			first = r
			break
		}
	}
	if first == nil {
		run.Process.Kill()
		t.Fatal("no cell finished")
	}
	run.Process.Signal(syscall.SIGINT)
	err := run.Wait()
	if err == nil {
		t.Fatal("interrupted run exited 0")
	}
	partial, err := results.ReadDir(dir)
	if err != nil {
		t.Fatalf("results after SIGINT: %v", err)
	}
	if len(partial.Cells) == 0 || len(partial.Cells) == 3 || !partial.Finished.IsZero() {
		t.Fatalf("after SIGINT: %d cells, finished %v; want a partial, unfinished run", len(partial.Cells), partial.Finished)
	}
	if l := testutil.State(); strings.Contains(strings.Join(l, " "), "tracebench-"+partial.RunID[len(partial.RunID)-8:]) {
		t.Fatalf("state left after SIGINT: %v", l)
	}

	out, err := exec.Command(bin, "run", "--resume", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	done, err := results.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Cells) != 3 || done.Finished.IsZero() || done.RunID != partial.RunID {
		t.Fatalf("after resume: %d cells, finished %v, run %s (was %s)", len(done.Cells), done.Finished, done.RunID, partial.RunID)
	}
	seen := map[event.Event]int{}
	for _, c := range done.Cells {
		seen[c.Event]++
	}
	for _, ev := range []event.Event{event.Getppid, event.Openat, event.Connect} {
		if seen[ev] != 1 {
			t.Errorf("%s measured %d times", ev, seen[ev])
		}
	}
	for i, c := range partial.Cells {
		if !done.Cells[i].Started.Equal(c.Started) {
			t.Errorf("cell %s was measured again", c.Event)
		}
	}

	out, err = exec.Command(bin, "run", "--resume", dir, "--event", "exec").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--event cannot be changed") {
		t.Errorf("resume with another selection: %v %s", err, out)
	}
}
