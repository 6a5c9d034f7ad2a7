package qemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Result is a guest that ran to its end (qemu exited by itself).
type Result struct {
	Emulated    bool
	ConsoleTail []string
	Elapsed     time.Duration
}

// Run boots m and waits until qemu exits, m.Timeout passes or ctx ends. A
// guest that panicked gives an *Error of kind ErrPanic, one that was killed
// ErrTimeout (or ctx's error), and a qemu that failed ErrFailed.
func Run(ctx context.Context, m Machine) (Result, error) {
	bin := binaries[m.Arch]
	path, err := exec.LookPath(bin.Binary)
	if bin.Binary != "" && err != nil {
		return Result{}, &bin
	}
	for _, f := range []string{m.Kernel, m.Initrd} {
		if _, err := os.Stat(f); err != nil {
			return Result{}, fmt.Errorf("boot %s guest: %w", m.Arch, err)
		}
	}
	kvm := !Emulated(m.Arch)
	args, err := m.args(kvm)
	if err != nil {
		return Result{}, err
	}
	res := Result{Emulated: !kvm}
	if m.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.Timeout)
		defer cancel()
	}
	cmd := exec.Command(path, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	// Its own process group, so the whole group can be killed; and killed
	// too if this process dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start %s: %w", path, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var waitErr error
	select {
	case waitErr = <-done:
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	// Nothing of the group may survive, whichever way qemu ended.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	res.Elapsed = time.Since(start)
	lines := readConsole(m.ConsoleLog)
	res.ConsoleTail = tail(lines)
	if ctx.Err() != nil {
		kind := ErrTimeout
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			kind = ctx.Err()
		}
		return res, &Error{Kind: kind, Detail: fmt.Sprintf("killed after %s", res.Elapsed.Round(time.Millisecond)),
			ConsoleLog: m.ConsoleLog, ConsoleTail: res.ConsoleTail}
	}
	if p, lines := panicked(lines); p {
		return res, &Error{Kind: ErrPanic, ConsoleLog: m.ConsoleLog, ConsoleTail: lines}
	}
	if waitErr != nil {
		return res, &Error{Kind: ErrFailed, Detail: fmt.Sprintf("%s: %v: %s", bin.Binary, waitErr, strings.TrimSpace(stderr.String())),
			ConsoleLog: m.ConsoleLog, ConsoleTail: res.ConsoleTail}
	}
	return res, nil
}
