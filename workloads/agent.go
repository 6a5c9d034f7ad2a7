package workloads

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// AgentConfig is how the harness configures an agent process.
type AgentConfig struct {
	// CPU pins every thread of the agent, and so its children, to one CPU
	// (-1: no pinning).
	CPU int
	// LoginUID, when non-zero, is written to /proc/self/loginuid so that
	// audit rules can select the workload's process tree by auid (children
	// inherit it).
	LoginUID uint32
}

// Serve is the agent's main loop: the child side of the protocol, run by
// `tracebench workload agent`. It returns when the harness says exit or
// closes stdin.
func Serve(cfg AgentConfig, in io.Reader, out io.Writer) error {
	runtime.LockOSThread() // the measured loop stays on one thread
	if cfg.CPU >= 0 {
		if err := pinAllThreads(cfg.CPU); err != nil {
			return err
		}
	}
	loginUID := cfg.LoginUID
	if loginUID != 0 {
		// The login uid belongs to a thread, which may set only its own
		// (/proc/self names the main thread, which this one need not
		// be): the locked thread runs every measured operation and forks
		// the exec workload's children, which inherit it. Refused when
		// the login uid is immutable (audit feature loginuid_immutable)
		// or the kernel has no audit: then audit backends are
		// unsupported.
		if err := os.WriteFile("/proc/thread-self/loginuid", []byte(strconv.FormatUint(uint64(loginUID), 10)), 0); err != nil {
			fmt.Fprintf(os.Stderr, "workload agent: cannot set audit login uid: %v\n", err)
			loginUID = 0
		}
	}
	dir, err := os.MkdirTemp("", "tracebench-workload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	enc := json.NewEncoder(out)
	cmds := make(chan command)
	var stop atomic.Bool
	go readCommands(in, cmds, &stop)

	if err := enc.Encode(message{Type: "ready", PID: os.Getpid(), LoginUID: loginUID}); err != nil {
		return err
	}
	for c := range cmds {
		switch c.Op {
		case "exit":
			return nil
		case "run":
			stop.Store(false)
			if err := run(c, dir, enc, &stop); err != nil {
				if err := enc.Encode(message{Type: "error", Error: err.Error()}); err != nil {
					return err
				}
			}
		default:
			if err := enc.Encode(message{Type: "error", Error: fmt.Sprintf("unknown command %q", c.Op)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// readCommands forwards commands; "stop" is handled here, since the main
// loop is busy running chunks when it arrives.
func readCommands(in io.Reader, cmds chan<- command, stop *atomic.Bool) {
	defer close(cmds)
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		var c command
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			c = command{Op: "invalid: " + err.Error()}
		}
		if c.Op == "stop" {
			stop.Store(true)
			continue
		}
		cmds <- c
	}
}

func run(c command, dir string, enc *json.Encoder, stop *atomic.Bool) error {
	if c.ChunkOps <= 0 {
		return fmt.Errorf("run: chunk_ops must be positive, got %d", c.ChunkOps)
	}
	p, err := newProducer(c.Load, dir)
	if err != nil {
		return err
	}
	defer p.Close()
	var produced uint64
	chunks := 0
	t0 := monotonic()
	for ; (c.MaxChunks <= 0 || chunks < c.MaxChunks) && !stop.Load(); chunks++ {
		if c.Rate > 0 {
			pace(t0 + int64(float64(chunks*c.ChunkOps)/c.Rate*1e9))
		}
		start := monotonic()
		n, err := p.Do(c.ChunkOps)
		end := monotonic()
		produced += uint64(n)
		if err != nil {
			return fmt.Errorf("%s after %d operations: %w", c.Load, produced, err)
		}
		if err := enc.Encode(message{Type: "chunk", Start: start, End: end, Ops: n}); err != nil {
			return err
		}
	}
	return enc.Encode(message{Type: "done", Produced: produced, Chunks: chunks})
}

// pace sleeps until CLOCK_MONOTONIC reaches at: a paced run keeps its
// average rate, catching up after a chunk that ran late.
func pace(at int64) {
	if d := at - monotonic(); d > 0 {
		ts := unix.NsecToTimespec(d)
		unix.Nanosleep(&ts, nil)
	}
}

// monotonic reads CLOCK_MONOTONIC, the clock the harness labels chunks with.
func monotonic() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

// Monotonic is the harness's reading of the same clock.
func Monotonic() int64 { return monotonic() }

// pinAllThreads sets the affinity of every thread of this process; threads
// created later inherit it from their creator.
func pinAllThreads(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	tids, err := filepath.Glob("/proc/self/task/*")
	if err != nil {
		return err
	}
	for _, t := range tids {
		tid, err := strconv.Atoi(filepath.Base(t))
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH {
			return fmt.Errorf("pin thread %d to CPU %d: %w", tid, cpu, err)
		}
	}
	return nil
}
