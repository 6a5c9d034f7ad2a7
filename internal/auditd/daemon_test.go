package auditd_test

import (
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/tracebench/tracebench/internal/auditd"
	"github.com/tracebench/tracebench/internal/auditnl"
	"github.com/tracebench/tracebench/internal/auditnl/audittest"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	audittest.RunChildIfRequested()
	os.Exit(m.Run())
}

// requireAuditd skips a test that runs the real daemon when it is missing.
func requireAuditd(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("auditd"); err != nil {
		t.Skip("auditd not installed (Debian package auditd)")
	}
}

// logTypes returns the record types of the log's lines, in order.
func logTypes(t *testing.T, path string) []uint16 {
	t.Helper()
	var types []uint16
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range splitLines(string(b)) {
		r, err := auditnl.ParseLogLine(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		types = append(types, r.Type)
	}
	return types
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}

// TestDaemonHost starts the real auditd with -s nochange, checks that it
// registers and logs its start, stops it and checks that it is gone and
// unregistered and that it logged its end. With audit disabled this changes
// nothing on the machine but the status pid, for the daemon's lifetime.
func TestDaemonHost(t *testing.T) {
	requireAuditd(t)
	c := audittest.KeepState(t)
	before, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if before.PID != 0 {
		t.Skipf("an audit daemon (pid %d) is registered", before.PID)
	}
	cfg := auditd.DefaultConfig(t.TempDir() + "/auditd")
	d, err := auditd.Start(cfg, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	id := d.Identity()
	st, err := c.Status()
	if err != nil || st.PID != uint32(id.PID) || st.Enabled != before.Enabled {
		t.Errorf("while running: status pid %d enabled %d (%v); want %d and %d", st.PID, st.Enabled, err, id.PID, before.Enabled)
	}
	sock, err := d.Socket()
	if err != nil || sock.PortID != uint32(id.PID) || sock.Rmem != 0 || sock.Drops != 0 {
		t.Errorf("auditd socket %+v (%v): want port %d, nothing queued or dropped", sock, err, id.PID)
	}
	if err := d.WaitDrained(10 * time.Second); err != nil {
		t.Errorf("WaitDrained with nothing queued: %v", err)
	}
	if _, err := auditd.Start(cfg, time.Second); !errors.Is(err, auditnl.ErrDaemonRegistered) {
		t.Errorf("second Start: %v, want ErrDaemonRegistered", err)
	}
	if err := d.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := unix.Kill(id.PID, 0); !errors.Is(err, unix.ESRCH) {
		t.Errorf("auditd %d still exists after Stop (kill 0: %v)", id.PID, err)
	}
	if st, err = c.Status(); err != nil || st.PID != 0 {
		t.Errorf("after Stop: status pid %d (%v), want 0", st.PID, err)
	}
	types := logTypes(t, cfg.LogFile())
	if len(types) < 2 || types[0] != 1200 || types[len(types)-1] != 1201 {
		t.Errorf("log record types %v: want DAEMON_START (1200) first and DAEMON_END (1201) last", types)
	}
}

// TestKillStrayHost plays crashes: auditd is killed without unregistering,
// as if tracebench died and a later run found its journal. KillStray must
// clear the stale registration and the pid file, and leave alone a process
// that only shares the pid; Start must reclaim a stale registration too.
func TestKillStrayHost(t *testing.T) {
	requireAuditd(t)
	c := audittest.KeepState(t)
	if st, err := c.Status(); err != nil || st.PID != 0 {
		t.Skipf("an audit daemon (pid %d) is registered (%v)", st.PID, err)
	}
	cfg := auditd.DefaultConfig(t.TempDir() + "/auditd")
	d, err := auditd.Start(cfg, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	id := d.Identity()
	// A journal entry with the wrong start time names another process.
	if err := auditd.KillStray(auditd.Identity{PID: id.PID, StartTime: id.StartTime + 1}, time.Second); err == nil {
		t.Error("KillStray with a wrong start time succeeded; want the registration reported")
	}
	if err := unix.Kill(id.PID, 0); err != nil {
		t.Fatalf("KillStray with a wrong start time killed auditd: %v", err)
	}
	// The crash: SIGKILL, no unregistering.
	crash(t, id.PID)
	if err := auditd.KillStray(id, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(); err != nil || st.PID != 0 {
		t.Errorf("after KillStray: status pid %d (%v), want 0", st.PID, err)
	}
	if _, err := os.Stat("/var/run/auditd.pid"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("auditd's pid file left after KillStray: %v", err)
	}
	// Stop finds the process gone and the registration cleared.
	if err := d.Stop(time.Second); err != nil {
		t.Errorf("Stop after KillStray: %v", err)
	}

	// Another crash; this time the next Start finds the registration.
	d, err = auditd.Start(cfg, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	crash(t, d.Identity().PID)
	if st, err := c.Status(); err != nil || st.PID != uint32(d.Identity().PID) {
		t.Fatalf("after the crash: status pid %d (%v), want the dead daemon's %d", st.PID, err, d.Identity().PID)
	}
	d2, err := auditd.Start(cfg, 10*time.Second)
	if err != nil {
		t.Fatalf("Start after a crash: %v", err)
	}
	if err := d2.Stop(10 * time.Second); err != nil {
		t.Error(err)
	}
	if err := d.Stop(time.Second); err != nil {
		t.Errorf("Stop of the crashed daemon: %v", err)
	}
}

// crash kills auditd with SIGKILL and waits until it has been reaped.
func crash(t *testing.T, pid int) {
	t.Helper()
	if err := unix.Kill(pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for unix.Kill(pid, 0) != unix.ESRCH {
		if time.Now().After(deadline) {
			t.Fatalf("auditd %d still exists 10 s after SIGKILL", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
