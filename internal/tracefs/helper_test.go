package tracefs

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// helperEnv makes the test binary a workload helper instead of running
// tests: "getppid N", "pause-getppid N" (N/2 calls, 300 ms pause, N/2
// calls), "exec N PATH" (fork and exec PATH, the test binary, as the helper
// "exit", N times), "exit", "uprobe N" (N calls of uprobeTarget).
const helperEnv = "TRACEFS_TEST_HELPER"

// runHelper runs a helper mode. It waits for one byte on stdin before it
// starts, so the test can point filters at its pid first.
func runHelper(mode string) int {
	args := strings.Fields(mode)
	if args[0] == "exit" {
		return 0
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || (args[0] == "exec") != (len(args) == 3) {
		fmt.Fprintln(os.Stderr, "helper:", mode, err)
		return 2
	}
	if _, err := io.ReadFull(os.Stdin, make([]byte, 1)); err != nil {
		fmt.Fprintln(os.Stderr, "helper: wait for start:", err)
		return 2
	}
	switch args[0] {
	case "getppid":
		getppid(n)
	case "pause-getppid":
		getppid(n / 2)
		time.Sleep(300 * time.Millisecond)
		getppid(n - n/2)
	case "exec":
		for range n {
			cmd := exec.Command(args[2])
			cmd.Env = append(os.Environ(), helperEnv+"=exit")
			if err := cmd.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "helper: exec:", err)
				return 1
			}
		}
	case "uprobe":
		for range n {
			uprobeTarget()
		}
	default:
		fmt.Fprintln(os.Stderr, "helper: unknown mode", mode)
		return 2
	}
	return 0
}

// getppid makes n getppid(2) calls: a syscall the Go runtime never makes,
// so a traced count is exact.
func getppid(n int) {
	for range n {
		unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
	}
}

//go:noinline
func uprobeTarget() {}

// helper is a started helper process, waiting for Release.
type helper struct {
	t     *testing.T
	cmd   *exec.Cmd
	start io.WriteCloser
}

// startHelper starts the test binary in a helper mode.
func startHelper(t *testing.T, mode string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Stderr = os.Stderr
	start, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{t: t, cmd: cmd, start: start}
	t.Cleanup(func() {
		if h.cmd.ProcessState == nil {
			h.cmd.Process.Kill()
			h.cmd.Wait()
		}
	})
	return h
}

func (h *helper) pid() int { return h.cmd.Process.Pid }

// release lets the helper start its work.
func (h *helper) release() {
	h.t.Helper()
	if _, err := h.start.Write([]byte{1}); err != nil {
		h.t.Fatal(err)
	}
	h.start.Close()
}

// wait waits for the helper to finish its work and exit.
func (h *helper) wait() {
	h.t.Helper()
	if err := h.cmd.Wait(); err != nil {
		h.t.Fatalf("helper %v: %v", h.cmd.Env[len(h.cmd.Env)-1], err)
	}
}

// run releases the helper and waits for it.
func (h *helper) run() {
	h.t.Helper()
	h.release()
	h.wait()
}

// longExecPath links the test binary under a name of more than 112 bytes,
// so that sched_process_exec records (which hold the name) exceed what a
// type_len can describe and carry their length in a second word.
func longExecPath(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), strings.Repeat("long-name-", 12)+"tracefs.test")
	if err := os.Symlink(os.Args[0], p); err != nil {
		t.Fatal(err)
	}
	return p
}
