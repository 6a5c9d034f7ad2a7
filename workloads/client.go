package workloads

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Agent is the harness's handle on a running agent process.
type Agent struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Scanner
	pid    int
	uid    uint32
	mu     sync.Mutex // serialises writes to in
	waited chan error
}

// Start starts an agent: exe with args (e.g. the tracebench binary and
// "workload", "agent"), configured by cfg through flags. The agent is in
// its own process group and dies with the harness.
func Start(exe string, args []string, cfg AgentConfig) (*Agent, error) {
	args = append(args, "--cpu", strconv.Itoa(cfg.CPU))
	if cfg.LoginUID != 0 {
		args = append(args, "--login-uid", strconv.FormatUint(uint64(cfg.LoginUID), 10))
	}
	cmd := exec.Command(exe, args...)
	// No async preemption: it sends signals (tgkill) and getpid calls into
	// the measured loop.
	cmd.Env = append(cmd.Environ(), "GODEBUG=asyncpreemptoff=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start workload agent: %w", err)
	}
	a := &Agent{cmd: cmd, in: in, out: bufio.NewScanner(outp), waited: make(chan error, 1)}
	a.out.Buffer(make([]byte, 4096), 1<<20)
	m, err := a.next()
	if err != nil || m.Type != "ready" {
		a.Kill()
		if err == nil {
			err = fmt.Errorf("unexpected %q", m.Type)
		}
		return nil, fmt.Errorf("workload agent did not start: %w (stderr: %s)", err, stderr.String())
	}
	a.pid, a.uid = m.PID, m.LoginUID
	return a, nil
}

// PID returns the agent's pid.
func (a *Agent) PID() int { return a.pid }

// LoginUID returns the audit login uid the agent set, or 0.
func (a *Agent) LoginUID() uint32 { return a.uid }

func (a *Agent) send(c command) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err = a.in.Write(append(b, '\n'))
	return err
}

func (a *Agent) next() (message, error) {
	if !a.out.Scan() {
		if err := a.out.Err(); err != nil {
			return message{}, err
		}
		return message{}, io.ErrUnexpectedEOF
	}
	var m message
	if err := json.Unmarshal(a.out.Bytes(), &m); err != nil {
		return m, fmt.Errorf("bad message from workload agent: %w", err)
	}
	return m, nil
}

// RunSpec is one run of a workload.
type RunSpec struct {
	Load      Load
	ChunkOps  int
	MaxChunks int     // 0: until Stop
	Rate      float64 // operations per second; 0: as fast as possible
}

// Run runs spec and calls onChunk for each chunk as it completes. It
// returns the number of operations that produced the event. Stop, from
// another goroutine, ends the run after the current chunk; cancelling ctx
// also stops it.
func (a *Agent) Run(ctx context.Context, spec RunSpec, onChunk func(Chunk)) (uint64, error) {
	if err := a.send(command{Op: "run", Load: spec.Load, ChunkOps: spec.ChunkOps, MaxChunks: spec.MaxChunks, Rate: spec.Rate}); err != nil {
		return 0, fmt.Errorf("workload agent: %w", err)
	}
	stopped := context.AfterFunc(ctx, func() { a.Stop() })
	defer stopped()
	for {
		m, err := a.next()
		if err != nil {
			return 0, fmt.Errorf("workload agent: %w", err)
		}
		switch m.Type {
		case "chunk":
			if onChunk != nil {
				onChunk(Chunk{Start: m.Start, End: m.End, Ops: m.Ops})
			}
		case "done":
			return m.Produced, ctx.Err()
		case "error":
			return 0, fmt.Errorf("workload %s: %s", spec.Load, m.Error)
		default:
			return 0, fmt.Errorf("workload agent: unexpected message %q", m.Type)
		}
	}
}

// Stop ends the current run after its current chunk.
func (a *Agent) Stop() error { return a.send(command{Op: "stop"}) }

// Close asks the agent to exit and waits for it, killing it if it does not
// exit within a few seconds.
func (a *Agent) Close() error {
	a.send(command{Op: "exit"})
	a.in.Close()
	go func() { a.waited <- a.cmd.Wait() }()
	select {
	case err := <-a.waited:
		return err
	case <-time.After(5 * time.Second):
		a.Kill()
		return errors.New("workload agent did not exit; killed")
	}
}

// Kill kills the agent's whole process group (the agent and any program
// the exec workload is running).
func (a *Agent) Kill() {
	if a.cmd.Process != nil {
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
		a.cmd.Process.Wait()
	}
}

// limitedBuffer keeps the first 4 KiB written to it: enough of an agent's
// stderr to explain a failure.
type limitedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := 4096 - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
