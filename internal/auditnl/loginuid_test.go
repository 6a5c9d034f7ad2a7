package auditnl_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tracebench/tracebench/internal/auditnl"
	"github.com/tracebench/tracebench/internal/auditnl/audittest"
)

// TestStartWithLoginUIDHost starts a child with a login uid and checks that
// the child has it and that, once the helper thread is gone, no thread of
// this process does. With audit disabled the change is not logged.
func TestStartWithLoginUIDHost(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_AUDIT_CONTROL)")
	}
	own, err := auditnl.LoginUID(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	auid := uint32(4243)
	if own == auid {
		t.Skipf("this process already has login uid %d", auid)
	}
	// A child that waits for a "go" it never gets; killed at cleanup.
	child := audittest.StartGetppid(t, 0, audittest.ChildOptions{AUID: &auid})
	got, err := auditnl.LoginUID(child.PID())
	if err != nil || got != auid {
		t.Errorf("child login uid %d (%v), want %d", got, err, auid)
	}
	// The helper thread exits when its goroutine does; wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		leaked := threadsWithLoginUID(t, auid)
		if leaked == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d threads of the test process still have login uid %d", leaked, auid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if now, _ := auditnl.LoginUID(os.Getpid()); now != own {
		t.Errorf("own login uid changed from %d to %d", own, now)
	}
}

func threadsWithLoginUID(t *testing.T, auid uint32) int {
	files, err := filepath.Glob("/proc/self/task/*/loginuid")
	if err != nil || len(files) == 0 {
		t.Fatalf("list threads: %v", err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread exited meanwhile
		}
		if string(b) == strconv.FormatUint(uint64(auid), 10) {
			n++
		}
	}
	return n
}
