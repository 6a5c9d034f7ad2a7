package frontend

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
)

func isReady(l string) bool { return l == "ready" }

// A tool that forks a child ignoring the stop signal (as trace-cmd's
// recorders do) leaves nothing running once stopped; its output is kept.
func TestStopKillsTheGroup(t *testing.T) {
	p, err := Start(t.Context(), Command{Argv: []string{"sh", "-c", `(trap "" INT; exec sleep 300) & echo ready; wait; echo counted 7`}, Marker: "tbtest-stop", Ready: isReady})
	if err != nil {
		t.Fatal(err)
	}
	if left := Remaining("tbtest-stop"); len(left) != 2 {
		t.Errorf("running: %v, want the tool and its child", left)
	}
	out, err := p.Stop(syscall.SIGINT, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if left := Remaining("tbtest-stop"); len(left) > 0 {
		t.Errorf("left running: %v", left)
	}
	if p.Startup <= 0 || !strings.Contains(strings.Join(out, "\n"), "ready") {
		t.Errorf("start-up %v, output %q", p.Startup, out)
	}
}

// A tool that ends before it is ready is an *Exit with its output; one
// that is not installed is missing-tool.
func TestStartFailures(t *testing.T) {
	_, err := Start(t.Context(), Command{Argv: []string{"sh", "-c", "echo no probes here; exit 3"}, Marker: "tbtest-fail", Ready: isReady})
	var ex *Exit
	if !errors.As(err, &ex) || !strings.Contains(ex.Output, "no probes here") || ex.State.ExitCode() != 3 {
		t.Errorf("error %v, want the exit with its output", err)
	}
	_, err = Start(t.Context(), Command{Argv: []string{"tracebench-no-such-tool"}, Marker: "tbtest-fail", Ready: isReady})
	if u, ok := backends.AsUnsupported(err); !ok || u.Class != backends.MissingTool {
		t.Errorf("error %v, want missing-tool", err)
	}
	if left := Remaining("tbtest-fail"); len(left) > 0 {
		t.Errorf("left running: %v", left)
	}
}

// A tool whose C stdio buffers output to a pipe prints its ready line
// only to a terminal: without Terminal it never looks ready, with it the
// line arrives at once, ends in "\n" alone, and the tool's final output
// is read to the end after it stops.
func TestTerminal(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("needs python3, whose stdout is a buffered stream")
	}
	// -I: buffered whatever PYTHONUNBUFFERED says.
	argv := []string{"python3", "-I", "-c", `import time
print("ready")
try:
    while True: time.sleep(0.05)
except KeyboardInterrupt:
    print("counted 7")`}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := Start(ctx, Command{Argv: argv, Marker: "tbtest-pipe", Ready: isReady}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("buffered output to a pipe: %v, want no ready line before the deadline", err)
	}
	p, err := Start(t.Context(), Command{Argv: argv, Marker: "tbtest-tty", Ready: isReady, Terminal: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Stop(syscall.SIGINT, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(out, "|"); got != "ready|counted 7" {
		t.Errorf("output %q, want ready|counted 7", got)
	}
	if left := Remaining("tbtest-tty"); len(left) > 0 {
		t.Errorf("left running: %v", left)
	}
}

func isRecord(l string) bool { return l == "rec" }

// Settle waits for a tool still printing event lines to fall quiet, so
// that the stop signal does not cut off what it was about to print; a
// tool that never falls quiet is waited for no longer than the limit.
func TestSettle(t *testing.T) {
	script := `trap "exit 0" INT; echo ready; for i in 1 2 3 4 5; do sleep 0.1; echo rec; done; while :; do sleep 1; done`
	p, err := Start(t.Context(), Command{Argv: []string{"sh", "-c", script}, Marker: "tbtest-settle", Ready: isReady, Record: isRecord})
	if err != nil {
		t.Fatal(err)
	}
	p.Settle(time.Second, time.Minute)
	if _, err := p.Stop(syscall.SIGINT, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := p.Records(); n != 5 {
		t.Errorf("%d records printed before the stop, want 5", n)
	}

	p, err = Start(t.Context(), Command{Argv: []string{"sh", "-c", `echo ready; while :; do echo rec; sleep 0.05; done`}, Marker: "tbtest-settle", Ready: isReady, Record: isRecord})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	p.Settle(time.Minute, 500*time.Millisecond) // returns at the limit, or the test times out
	if p.Records() == 0 {
		t.Error("no record read from a tool printing them")
	}
}
