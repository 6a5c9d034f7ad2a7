package frontend

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tracebench/tracebench/backends"
)

// MarkerEnv is the environment variable every tool process is started
// with, set to the session's marker: children inherit it, so Remaining
// finds whatever a tool left running (trace-cmd's per-CPU recorders
// ignore SIGINT and outlive a crashed parent).
const MarkerEnv = "TRACEBENCH_FRONTEND"

// outputLines is how many of the last output lines a Process keeps (for
// parsing counts and for error messages).
const outputLines = 200

// Command is one run of a tool.
type Command struct {
	Argv []string
	// Marker tags the process tree (MarkerEnv).
	Marker string
	// Ready says that a line of output (stdout or stderr) shows the tool
	// observing: its probes are attached and events from now on count.
	Ready func(line string) bool
	// Record, when not nil, recognises a line that reports one event
	// (a tool streaming every event to user space): such lines are
	// counted in Records, not kept.
	Record func(line string) bool
	// Stop is the signal that makes the tool print its result and exit
	// (SIGINT for a tool run from a terminal).
	Stop syscall.Signal
	// Terminal runs the tool with a pseudo-terminal as its output, for a
	// tool that prints its ready line only when it flushes a buffer
	// otherwise (see openTerminal).
	Terminal bool
}

// Process is a running tool: its own process group, so that Kill reaches
// every child it forks; killed by the kernel if the plugin dies
// (Pdeathsig).
type Process struct {
	cmd     *exec.Cmd
	started time.Time
	ready   chan struct{}
	done    chan struct{}
	eof     chan struct{} // closed when the output pipe closes
	// Startup is the time from launch to the ready line; StartupCPU the
	// CPU time the tool and its children had used by then (a compiler's
	// work included).
	Startup, StartupCPU time.Duration

	records atomic.Uint64 // event lines (Command.Record) read: Records
	mu      sync.Mutex
	lines   []string
	waitErr error
}

// Start launches c and waits until its ready line, its exit, or ctx's end.
// A tool that exits or fails before it is ready is an error carrying its
// last output; its process group is killed.
func Start(ctx context.Context, c Command) (*Process, error) {
	if len(c.Argv) == 0 {
		return nil, errors.New("frontend: empty command")
	}
	path, err := exec.LookPath(c.Argv[0])
	if err != nil {
		return nil, backends.Unsupportedf(backends.MissingTool, "%s is not installed: %v", c.Argv[0], err)
	}
	cmd := exec.Command(path, c.Argv[1:]...)
	cmd.Env = append(os.Environ(), MarkerEnv+"="+c.Marker)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	pr, pw, err := os.Pipe()
	if c.Terminal {
		pr, pw, err = openTerminal()
	}
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	p := &Process{cmd: cmd, ready: make(chan struct{}), done: make(chan struct{}), eof: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("start %s: %w", c.Argv[0], err)
	}
	pw.Close()
	go p.read(pr, c.Ready, c.Record)
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	select {
	case <-p.ready:
		return p, nil
	case <-p.done:
		p.killGroup()
		p.drain()
		return nil, p.failure("exited before it was ready")
	case <-ctx.Done():
		where := blockedIn(cmd.Process.Pid)
		p.Kill()
		return nil, fmt.Errorf("%s: not ready after %s (%s): %w\n%s", c.Argv[0], time.Since(p.started).Round(time.Millisecond), where, ctx.Err(), p.Output())
	}
}

// read collects the tool's output and marks it ready at the first ready
// line, measuring the start-up then; after that it counts event lines.
func (p *Process) read(r io.ReadCloser, ready, record func(string) bool) {
	defer close(p.eof)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	isReady := false
	for sc.Scan() {
		line := sc.Text()
		if isReady && record != nil && record(line) {
			p.records.Add(1)
			continue
		}
		p.mu.Lock()
		p.lines = append(p.lines, line)
		if len(p.lines) > outputLines {
			p.lines = p.lines[len(p.lines)-outputLines:]
		}
		p.mu.Unlock()
		if !isReady && ready(line) {
			isReady = true
			p.Startup = time.Since(p.started)
			p.StartupCPU = groupCPU(p.cmd.Process.Pid)
			close(p.ready)
		}
	}
}

// Records returns how many event lines (Command.Record) the tool has
// printed so far; final once Stop or Kill has returned.
func (p *Process) Records() uint64 { return p.records.Load() }

// Settle waits until the tool has printed no event line for quiet, or
// for at most limit: the wait of a user who reads a tool's output before
// pressing Ctrl-C. A tool stopped while records are still in its ring
// buffer may exit without printing them or counting them lost (bpftrace
// does), which would charge it with events its reader was only slow to
// print.
func (p *Process) Settle(quiet, limit time.Duration) {
	end := time.Now().Add(limit)
	last, since := p.Records(), time.Now()
	for now := time.Now(); now.Before(end) && now.Sub(since) < quiet; now = time.Now() {
		time.Sleep(min(quiet/10, end.Sub(now)))
		if n := p.Records(); n != last {
			last, since = n, time.Now()
		}
	}
}

// drain waits until the reader has seen the end of the output: the pipe
// closes once every process holding it has exited, which killGroup
// hastens. A process that left the group and kept the pipe is given up
// on after a while.
func (p *Process) drain() {
	select {
	case <-p.eof:
	case <-time.After(2 * time.Second):
	}
}

// Stop sends the tool's process group its stop signal (as Ctrl-C on a
// terminal does), again every second as an impatient user would (bpftrace
// 0.17 at times lets a SIGINT pass while no event arrives), and waits up
// to timeout for it to exit; then, or if it does not, kills its process
// group. It returns the tool's output.
func (p *Process) Stop(sig syscall.Signal, timeout time.Duration) ([]string, error) {
	deadline := time.After(timeout)
	again := time.NewTicker(time.Second)
	defer again.Stop()
	for stopped := false; !stopped; {
		syscall.Kill(-p.cmd.Process.Pid, sig)
		select {
		case <-p.done:
			stopped = true
		case <-again.C:
		case <-deadline:
			p.Kill()
			return p.output(), fmt.Errorf("%s did not exit within %s of %v; killed\n%s", p.cmd.Args[0], timeout, sig, p.Output())
		}
	}
	p.killGroup()
	p.drain()
	// Tools exit non-zero after a signal, or die of it once they have
	// printed their result (perf re-raises SIGINT): their output says
	// whether they counted. Another signal (a crash) is a failure.
	var ee *exec.ExitError
	if p.waitErr != nil && !(errors.As(p.waitErr, &ee) && (ee.Exited() || ee.Sys().(syscall.WaitStatus).Signal() == sig)) {
		return p.output(), p.failure("failed when stopped")
	}
	return p.output(), nil
}

// Kill kills the tool's process group and waits for the tool.
func (p *Process) Kill() {
	p.killGroup()
	<-p.done
	p.drain()
}

// killGroup SIGKILLs every process left in the tool's group.
func (p *Process) killGroup() {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// Usage is the tool's own resource use once it has exited: user and
// system CPU time and peak RSS of the tool and of the children it waited
// for (wait4's rusage: a compiler it forks counts, an orphan it left does
// not).
func (p *Process) Usage() (cpu time.Duration, maxRSSKB int64) {
	st := p.cmd.ProcessState
	if st == nil {
		return 0, 0
	}
	ru, ok := st.SysUsage().(*syscall.Rusage)
	if !ok {
		return st.UserTime() + st.SystemTime(), 0
	}
	return st.UserTime() + st.SystemTime(), ru.Maxrss
}

func (p *Process) output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Output is the tool's last lines of output, for messages.
func (p *Process) Output() string {
	out := p.output()
	if len(out) > 20 {
		out = out[len(out)-20:]
	}
	return strings.Join(out, "\n")
}

// failure describes how the tool ended; Exit carries the status.
func (p *Process) failure(what string) error {
	return &Exit{Tool: p.cmd.Args[0], What: what, State: p.cmd.ProcessState, Output: p.Output()}
}

// Exit is a tool that ended when it should not have.
type Exit struct {
	Tool, What string
	State      *os.ProcessState
	Output     string
}

func (e *Exit) Error() string {
	return fmt.Sprintf("%s %s (%v):\n%s", e.Tool, e.What, e.State, e.Output)
}

// Signaled returns the signal that killed the tool, if one did.
func (e *Exit) Signaled() (syscall.Signal, bool) {
	if e.State == nil {
		return 0, false
	}
	ws, ok := e.State.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return ws.Signal(), true
}
