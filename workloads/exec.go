package workloads

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// execLoop forks and executes a minimal static program (TrueELF) and
// waits for it: one successful execve(2), and so one sched_process_exec,
// per operation.
type execLoop struct {
	path string
	argv []string
	attr *syscall.ProcAttr
}

// TruePath is the program's file name inside the workload's directory;
// backends that read the exec'ed file name can check it against this.
const TruePath = "tracebench-true"

func newExecLoop(dir string) (*execLoop, error) {
	img, err := nativeTrueELF()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, TruePath)
	if err := os.WriteFile(path, img, 0o755); err != nil {
		return nil, fmt.Errorf("write exec workload program: %w", err)
	}
	return &execLoop{
		path: path,
		argv: []string{TruePath},
		attr: &syscall.ProcAttr{Env: []string{}},
	}, nil
}

func (e *execLoop) Do(n int) (int, error) {
	for i := range n {
		pid, err := syscall.ForkExec(e.path, e.argv, e.attr)
		if err != nil {
			return i, fmt.Errorf("exec %s: %w", e.path, err)
		}
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
			return i, fmt.Errorf("wait for %s: %w", e.path, err)
		}
		if !ws.Exited() || ws.ExitStatus() != 0 {
			return i, fmt.Errorf("%s ended with status %v", e.path, ws)
		}
	}
	return n, nil
}

func (e *execLoop) Close() error { return os.Remove(e.path) }
