package auditnl

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// UnsetLoginUID is the login uid of a task that never logged in
// (AUDIT_UID_UNSET); SYSCALL records print it as auid=4294967295.
const UnsetLoginUID = ^uint32(0)

// StartWithLoginUID starts cmd with login uid auid, so that rules with an
// auid filter match the workload and its descendants and nothing else,
// without changing the login uid of the calling process.
//
// The login uid belongs to a thread: the kernel lets a thread set only its
// own (proc_loginuid_write in fs/proc/base.c), and fork copies it from the
// forking thread. So a goroutine locked to an OS thread other than the
// main one sets that thread's login uid, starts cmd from it, and exits still
// locked, which makes the Go runtime end the thread. (The main thread is
// never ended: a locked goroutine that exits on it leaves it parked, with
// the login uid, for the life of the process. Threads the runtime creates
// while a goroutine is locked are cloned from its template thread, which
// keeps the original login uid.) Setting a login uid needs CAP_AUDIT_CONTROL
// once one is set, and is refused (ErrPermission) when the kernel's
// loginuid_immutable feature is on and the thread's is already set. While
// audit is disabled the change is not logged.
func StartWithLoginUID(cmd *exec.Cmd, auid uint32) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() != unix.Getpid() {
			startOnThisThread(cmd, auid, errc) // the thread ends with this goroutine
			return
		}
		// This is the main thread. Keep it locked here so the helper
		// below runs on another one, then release it unchanged.
		inner := make(chan error, 1)
		go func() {
			runtime.LockOSThread()
			startOnThisThread(cmd, auid, inner)
		}()
		errc <- <-inner
		runtime.UnlockOSThread()
	}()
	return <-errc
}

// startOnThisThread runs on a locked thread that is not the main one and is
// never unlocked.
func startOnThisThread(cmd *exec.Cmd, auid uint32, errc chan<- error) {
	if err := setThreadLoginUID(auid); err != nil {
		errc <- err
		return
	}
	errc <- cmd.Start()
}

func setThreadLoginUID(auid uint32) error {
	const path = "/proc/thread-self/loginuid"
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return &Error{Op: "open " + path, Errno: errnoOf(err), class: classify(0, errnoOf(err))}
	}
	defer f.Close()
	// One write from offset 0: the kernel takes no partial writes.
	if _, err := f.Write([]byte(strconv.FormatUint(uint64(auid), 10))); err != nil {
		return &Error{Op: "write " + path, Errno: errnoOf(err), class: classify(0, errnoOf(err))}
	}
	return nil
}

// LoginUID reads the login uid of process pid's main thread.
func LoginUID(pid int) (uint32, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/loginuid", pid))
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(string(b), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/loginuid: %w", pid, err)
	}
	return uint32(v), nil
}
