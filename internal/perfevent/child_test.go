package perfevent

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The tests measure child processes: the test binary re-executed in a child
// mode (childModeEnv), which talks to the test over two pipes, fd 3 (from
// the test) and fd 4 (to the test), so the test can open events on the
// child and enable them before the child does its work.
const (
	childModeEnv = "PERFEVENT_TEST_CHILD"
	childArgsEnv = "PERFEVENT_TEST_ARGS"
)

func init() {
	if os.Getenv(childModeEnv) != "" {
		// Keep the main goroutine on the main thread, the task whose pid
		// the test follows without inherit.
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		if err := runChild(mode, strings.Fields(os.Getenv(childArgsEnv))); err != nil {
			fmt.Fprintf(os.Stderr, "child %s: %v\n", mode, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a running child process and its pipes.
type child struct {
	t    *testing.T
	cmd  *exec.Cmd
	to   *os.File // the child's fd 3
	from *os.File // the child's fd 4
	pid  int
}

// startChild starts the test binary in the given mode with args.
func startChild(t *testing.T, mode string, args ...any) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	toR, toW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childArgsEnv+"="+strings.TrimSpace(fmt.Sprintln(args...)),
		// No preemption signals: they would fault in signal stacks and
		// show in the children's counts.
		"GODEBUG=asyncpreemptoff=1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.ExtraFiles = []*os.File{toR, fromW}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toR.Close()
	fromW.Close()
	c := &child{t: t, cmd: cmd, to: toW, from: fromR, pid: cmd.Process.Pid}
	t.Cleanup(func() {
		c.to.Close()
		c.from.Close()
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	})
	return c
}

// send tells the child to go on.
func (c *child) send() {
	c.t.Helper()
	if _, err := c.to.Write([]byte{1}); err != nil {
		c.t.Fatalf("write to child: %v", err)
	}
}

// recv reads a number the child reports.
func (c *child) recv() uint64 {
	c.t.Helper()
	var b [8]byte
	if _, err := io.ReadFull(c.from, b[:]); err != nil {
		c.t.Fatalf("read from child: %v", err)
	}
	return binary.LittleEndian.Uint64(b[:])
}

// wait waits for the child to exit successfully.
func (c *child) wait() {
	c.t.Helper()
	c.to.Close()
	if err := c.cmd.Wait(); err != nil {
		c.t.Fatalf("child: %v", err)
	}
}

// childPipes are the child side of the pipes; every write and read uses one
// preallocated buffer so that nothing between them allocates or faults.
type childPipes struct {
	in, out *os.File
	buf     []byte
}

func (p *childPipes) report(v uint64) error {
	binary.LittleEndian.PutUint64(p.buf, v)
	_, err := unix.Write(int(p.out.Fd()), p.buf)
	return err
}

func (p *childPipes) await() error {
	n, err := unix.Read(int(p.in.Fd()), p.buf[:1])
	if err == nil && n != 1 {
		err = io.EOF
	}
	return err
}

func runChild(mode string, args []string) error {
	p := &childPipes{in: os.NewFile(3, "from-test"), out: os.NewFile(4, "to-test"), buf: make([]byte, 8)}
	n := make([]int, len(args))
	for i, a := range args {
		v, err := strconv.Atoi(a)
		if err != nil {
			return err
		}
		n[i] = v
	}
	switch mode {
	case "touch":
		return childTouch(p, n)
	case "getsid":
		return childGetsid(p, n[0], n[1], n[2])
	case "spin":
		return childSpin(p, n)
	case "permission":
		return childPermission(n[0])
	}
	return fmt.Errorf("unknown mode %q", mode)
}

// childTouch reports its thread id, then runs phases: for each argument it
// waits, writes one byte into each of that many fresh anonymous pages, and
// reports its own count of minor faults for that loop (getrusage
// RUSAGE_THREAD). It exits after the last phase.
func childTouch(p *childPipes, phases []int) error {
	ps := os.Getpagesize()
	total := 0
	for _, n := range phases {
		total += n
	}
	mem, err := unix.Mmap(-1, 0, total*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return err
	}
	// One fault per page: no transparent huge pages (nor mTHP) here.
	if err := unix.Madvise(mem, unix.MADV_NOHUGEPAGE); err != nil {
		return err
	}
	var before, after unix.Rusage
	// Run every call of the measured stretch once, so their code, stack and
	// buffers are faulted in beforehand.
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &before); err != nil {
		return err
	}
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &after); err != nil {
		return err
	}
	if err := p.report(uint64(unix.Gettid())); err != nil {
		return err
	}
	page := 0
	for _, n := range phases {
		if err := p.await(); err != nil {
			return err
		}
		// Measured: from here to the report, only the page touches fault.
		unix.Getrusage(unix.RUSAGE_THREAD, &before)
		for end := page + n; page < end; page++ {
			mem[page*ps] = 1
		}
		unix.Getrusage(unix.RUSAGE_THREAD, &after)
		if err := p.report(uint64(after.Minflt - before.Minflt)); err != nil {
			return err
		}
	}
	return nil
}

// childGetsid waits, calls getsid(2) calls times on the main thread, then
// runs kids children of its own one after another, each making kidCalls
// calls, and reports when all are done.
func childGetsid(p *childPipes, calls, kids, kidCalls int) error {
	if err := p.await(); err != nil {
		return err
	}
	for range calls {
		unix.Getsid(0)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	for range kids {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), childModeEnv+"=getsid", fmt.Sprintf("%s=%d 0 0", childArgsEnv, kidCalls))
		cmd.Stderr = os.Stderr
		// The grandchild's fds 3 and 4: a closed pipe to read from, so it
		// starts at once, and nowhere to report.
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		w.Write([]byte{1})
		w.Close()
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		cmd.ExtraFiles = []*os.File{r, devnull}
		err = cmd.Run()
		r.Close()
		devnull.Close()
		if err != nil {
			return err
		}
	}
	return p.report(uint64(calls + kids*kidCalls))
}

// childSpin runs phases: for each argument it waits, then spins on the main
// thread for that many iterations and reports the loop's result.
func childSpin(p *childPipes, phases []int) error {
	for _, n := range phases {
		if err := p.await(); err != nil {
			return err
		}
		if err := p.report(spin(n)); err != nil {
			return err
		}
	}
	return nil
}

// spin burns CPU in user mode without system calls or memory traffic and
// returns a value that depends on every iteration. TestBranchStackSampling
// looks for its loop by its symbol: it must not be inlined.
//
//go:noinline
func spin(n int) uint64 {
	x := uint64(1)
	for range n {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x | 1
}

// lockThread keeps the test's goroutine on its thread, the one an event
// with Pid 0 follows, until the test ends.
func lockThread(t *testing.T) {
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
}

// getsid is the getsid(2) system call.
func getsid() { unix.Getsid(0) }
