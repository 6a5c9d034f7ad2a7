package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/kstate"
)

// tracebench killed with SIGKILL in the middle of a cell leaves kernel
// state behind (the workload cgroup, the tracefs mount it made); the
// journal names it, `doctor` shows it, and `doctor --fix` restores the
// state exactly as it was before the first start.
func TestKilledHarnessRepairedFromJournal(t *testing.T) {
	testutil.RequireRoot(t)
	before := testutil.State()
	bin := testutil.Binary(t)
	dir := t.TempDir()
	run := exec.Command(bin, "run", "--backend", "ebpf/tracepoint", "--event", "getppid", "--mode", "count", "--budget", "30s", "--out", dir)
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(dir, kstate.JournalFile)
	var pending []kstate.Change
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		p, err := kstate.Read(journal)
		if err == nil && hasKind(p, kstate.Cgroup) {
			pending = p
			break
		}
	}
	time.Sleep(time.Second) // let the cell start measuring
	run.Process.Kill()
	run.Wait()
	if !hasKind(pending, kstate.Cgroup) {
		t.Fatal("the run never journaled its workload cgroup")
	}
	if slices.Equal(before, testutil.State()) {
		t.Fatal("killing the run left no state: the test proves nothing")
	}
	out, err := exec.Command(bin, "doctor").CombinedOutput()
	if err != nil || !strings.Contains(string(out), journal) || !strings.Contains(string(out), "cgroup") {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "doctor", "--fix").CombinedOutput()
	if err != nil {
		t.Fatalf("doctor --fix: %v\n%s", err, out)
	}
	if after := testutil.State(); !slices.Equal(before, after) {
		t.Errorf("state not restored:\nbefore %q\nafter  %q", before, after)
	}
	if out, _ := exec.Command(bin, "doctor").CombinedOutput(); !strings.Contains(string(out), "no kernel state left") {
		t.Errorf("doctor after the fix: %s", out)
	}
}

func hasKind(cs []kstate.Change, k kstate.Kind) bool {
	for _, c := range cs {
		if c.Kind == k {
			return true
		}
	}
	return false
}
