package auditnl

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestStartWithLoginUIDHost starts a child with a login uid and checks that
// the child has it and that, once the helper thread is gone, no thread of
// this process does.
func TestStartWithLoginUIDHost(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_AUDIT_CONTROL)")
	}
	own, err := LoginUID(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	const auid = 4243
	if own == auid {
		t.Skipf("this process already has login uid %d", auid)
	}
	cmd := exec.Command("sleep", "60")
	if err := StartWithLoginUID(cmd, auid); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	got, err := LoginUID(cmd.Process.Pid)
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
	if now, _ := LoginUID(os.Getpid()); now != own {
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
		if string(b) == "4243" {
			n++
		}
	}
	return n
}
