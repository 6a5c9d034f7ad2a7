package auditd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tracebench/tracebench/internal/auditnl"
	"golang.org/x/sys/unix"
)

// ErrNotInstalled means no auditd binary was found (Debian package auditd).
var ErrNotInstalled = errors.New("auditd not installed (Debian package auditd)")

// ErrStartFailed means auditd exited or did not register in time.
var ErrStartFailed = errors.New("auditd did not start")

// Identity names one process across pid reuse: its pid and its start time
// in clock ticks since boot (field 22 of /proc/PID/stat). A journal records
// it so that a later run can stop a daemon left behind by a crash, and only
// that daemon.
type Identity struct {
	PID       int
	StartTime uint64
}

// Daemon is a running auditd started by Start.
type Daemon struct {
	cfg    Config
	cmd    *exec.Cmd
	id     Identity
	exited chan struct{}
	err    error
}

// Start writes cfg and starts auditd in the foreground of its own process
// group (-n: no fork; its stdio goes to /dev/null and its messages to
// syslog), with -s nochange so that it leaves the enabled flag alone. It
// returns once the kernel's status pid names the new daemon and auditd
// handles SIGTERM: auditd ignores every signal until its event loop is set
// up, which it does after registering, so a SIGTERM sent as soon as it has
// registered would be lost. It fails with auditnl.ErrDaemonRegistered if
// another audit daemon is registered.
func Start(cfg Config, timeout time.Duration) (*Daemon, error) {
	path, err := exec.LookPath("auditd")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	c, err := auditnl.Dial()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	st, err := c.Status()
	if err != nil {
		return nil, err
	}
	if st.PID != 0 && processExists(int(st.PID)) {
		return nil, fmt.Errorf("start auditd: %w (pid %d)", auditnl.ErrDaemonRegistered, st.PID)
	}
	if st.PID != 0 {
		// A daemon died without unregistering (a crash, SIGKILL).
		if err := auditnl.ReclaimDaemon(); err != nil {
			return nil, fmt.Errorf("start auditd: reclaim registration of vanished pid %d: %w", st.PID, err)
		}
	}
	if err := cfg.Write(); err != nil {
		return nil, err
	}
	// A guest's root may have no /var/run; auditd exits without its pid file.
	if err := os.MkdirAll(filepath.Dir(pidFile), 0o755); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStartFailed, err)
	}
	cmd := exec.Command(path, "-n", "-s", "nochange", "-c", cfg.Dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStartFailed, err)
	}
	d := &Daemon{cfg: cfg, cmd: cmd, exited: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		close(d.exited)
	}()
	d.id.PID = cmd.Process.Pid
	if d.id.StartTime, err = startTime(d.id.PID); err != nil {
		d.kill()
		return nil, fmt.Errorf("%w: %v", ErrStartFailed, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-d.exited:
			return nil, fmt.Errorf("%w: %s exited before registering: %s", ErrStartFailed, path, exitMeaning(d.err))
		default:
		}
		st, err := c.Status()
		if err != nil {
			d.kill()
			return nil, err
		}
		if st.PID == uint32(d.id.PID) && catches(d.id.PID, unix.SIGTERM) {
			return d, nil
		}
		if time.Now().After(deadline) {
			d.kill()
			return nil, fmt.Errorf("%w: not registered after %v (status pid %d)", ErrStartFailed, timeout, st.PID)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exitMeaning explains auditd's exit codes (auditd(8)).
func exitMeaning(err error) string {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return fmt.Sprint(err)
	}
	switch ee.ExitCode() {
	case 1:
		return "exit 1: initialisation failed (netlink, pid file, plugins or setting the audit pid)"
	case 2:
		return "exit 2: invalid command line"
	case 4:
		return "exit 4: insufficient privilege"
	case 6:
		return "exit 6: error in the configuration file"
	}
	return err.Error()
}

// Identity returns the daemon's pid and start time, for a journal.
func (d *Daemon) Identity() Identity { return d.id }

// Config returns the configuration the daemon runs with.
func (d *Daemon) Config() Config { return d.cfg }

// Stop asks auditd to exit (SIGTERM: it logs DAEMON_END, unregisters and
// flushes its log) and waits up to timeout; then it kills the whole process
// group. It makes sure that no process of the group is left and that the
// kernel no longer names the daemon in its status, reclaiming the
// registration if auditd died without giving it up.
func (d *Daemon) Stop(timeout time.Duration) error {
	var errs []error
	if err := d.cmd.Process.Signal(unix.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		errs = append(errs, fmt.Errorf("stop auditd: %w", err))
	}
	select {
	case <-d.exited:
	case <-time.After(timeout):
		errs = append(errs, fmt.Errorf("stop auditd: still running after %v, killed", timeout))
		d.kill()
	}
	// Anything it left in its process group goes too.
	if err := unix.Kill(-d.id.PID, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
		errs = append(errs, fmt.Errorf("kill auditd process group %d: %w", d.id.PID, err))
	}
	errs = append(errs, unregistered(d.id.PID), removePidFile(d.id.PID))
	return errors.Join(errs...)
}

// kill ends the process group and waits for auditd.
func (d *Daemon) kill() {
	unix.Kill(-d.id.PID, unix.SIGKILL)
	<-d.exited
}

// unregistered makes sure that the kernel no longer names pid as its audit
// daemon.
func unregistered(pid int) error {
	c, err := auditnl.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	st, err := c.Status()
	if err != nil {
		return err
	}
	if st.PID != uint32(pid) {
		return nil
	}
	if err := auditnl.ReclaimDaemon(); err != nil {
		return fmt.Errorf("auditd %d gone but still registered: %w", pid, err)
	}
	return nil
}

// KillStray stops a daemon recorded in a journal by an earlier run that
// crashed: if a process with id's pid and start time still exists, its
// process group is terminated (SIGTERM, then SIGKILL after timeout); a
// registration and a pid file it left behind are removed. A pid now used by
// another process is left alone.
func KillStray(id Identity, timeout time.Duration) error {
	st, err := startTime(id.PID)
	if err == nil && st == id.StartTime {
		unix.Kill(-id.PID, unix.SIGTERM)
		deadline := time.Now().Add(timeout)
		for alive(id) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if err := unix.Kill(-id.PID, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("kill stray auditd group %d: %w", id.PID, err)
		}
	}
	if alive(id) {
		return fmt.Errorf("stray auditd %d survived SIGKILL", id.PID)
	}
	return errors.Join(removePidFile(id.PID), unregistered(id.PID))
}

func processExists(pid int) bool {
	return unix.Kill(pid, 0) != unix.ESRCH
}

func alive(id Identity) bool {
	st, err := startTime(id.PID)
	return err == nil && st == id.StartTime
}

// catches reports whether process pid has a handler for sig (the SigCgt
// mask of /proc/PID/status).
func catches(pid int, sig unix.Signal) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "SigCgt:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && mask&(1<<(sig-1)) != 0
		}
	}
	return false
}

// pidFile is where auditd writes its pid; the path is fixed in auditd
// 3.0.9. auditd removes it when it exits, but not when it is killed.
const pidFile = "/var/run/auditd.pid"

// removePidFile removes auditd's pid file if it names pid.
func removePidFile(pid int) error {
	b, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(b)) != strconv.Itoa(pid) {
		return nil
	}
	return os.Remove(pidFile)
}

// startTime reads field 22 (starttime) of /proc/PID/stat. The command name
// (field 2) is in parentheses and may contain spaces: count from the last
// ')'.
func startTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); starttime is field 22.
	if len(f) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	v, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat starttime: %w", pid, err)
	}
	return v, nil
}
