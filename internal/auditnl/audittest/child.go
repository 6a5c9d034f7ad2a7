package audittest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/tracebench/tracebench/internal/auditnl"
	"golang.org/x/sys/unix"
)

// envChild tells a re-executed test binary to be a workload child making
// this many getppid calls.
const envChild = "TRACEBENCH_AUDITTEST_GETPPID"

// RunChildIfRequested turns the test binary into a workload child when it
// was started by StartGetppid. Call it first in TestMain.
func RunChildIfRequested() {
	v, ok := os.LookupEnv(envChild)
	if !ok {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s=%q: %v\n", envChild, v, err)
		os.Exit(2)
	}
	// Wait until the parent has loaded its rules.
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		os.Exit(3)
	}
	// The measured loop: the Go runtime itself never calls getppid.
	for i := 0; i < n; i++ {
		unix.Getppid()
	}
	os.Exit(0)
}

// Child is a workload process that makes an exact number of getppid calls
// once told to go.
type Child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{} // closed when the child has been waited for
	err    error
}

// ChildOptions set up a workload child.
type ChildOptions struct {
	// AUID, if set, is the child's login uid.
	AUID *uint32
}

// StartGetppid starts the test binary as a child that will make n getppid
// calls. It is killed when the test ends if still running.
func StartGetppid(t testing.TB, n int, opts ChildOptions) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envChild+"="+strconv.Itoa(n))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if opts.AUID != nil {
		err = auditnl.StartWithLoginUID(cmd, *opts.AUID)
	} else {
		err = cmd.Start()
	}
	if err != nil {
		t.Fatal(err)
	}
	c := &Child{cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // fails harmlessly if it has exited
		<-c.exited
	})
	return c
}

// PID returns the child's process id.
func (c *Child) PID() int { return c.cmd.Process.Pid }

// Go tells the child to start its calls.
func (c *Child) Go(t testing.TB) {
	t.Helper()
	if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
}

// Exited is closed when the child has exited.
func (c *Child) Exited() <-chan struct{} { return c.exited }

// Wait waits for the child and fails the test unless it exited cleanly.
func (c *Child) Wait(t testing.TB) {
	t.Helper()
	<-c.exited
	if c.err != nil {
		t.Fatalf("workload child %d: %v", c.PID(), c.err)
	}
}
