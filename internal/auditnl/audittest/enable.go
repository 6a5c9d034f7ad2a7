package audittest

import (
	"errors"
	"os"
	"testing"

	"github.com/tracebench/tracebench/internal/auditnl"
)

// Environment variables that gate tests that enable audit.
const (
	EnvTests = "TRACEBENCH_AUDIT_TESTS"
	EnvGuest = "TRACEBENCH_GUEST"
)

// RequireEnable skips t unless audit may be enabled on this machine.
func RequireEnable(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvTests) != "1" {
		t.Skipf("enables audit, which slows every new process until reboot: set %s=1 and run in a guest", EnvTests)
	}
	if os.Getpid() != 1 && os.Getenv(EnvGuest) != "1" {
		t.Skipf("enables audit: runs only as a guest's PID 1 or with %s=1", EnvGuest)
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// Enable enables audit together with the status fields of s selected by
// mask, and makes the test restore the configuration it found and verify
// it when it ends. Processes started before this call are never audited:
// start the workload afterwards.
func Enable(t testing.TB, s auditnl.Status, mask auditnl.StatusMask) *auditnl.Conn {
	t.Helper()
	RequireEnable(t)
	c := KeepState(t)
	c.PermitEnable()
	s.Enabled = 1
	if err := c.SetStatus(s, mask|auditnl.MaskEnabled); err != nil {
		t.Fatal(err)
	}
	return c
}

// KeepState takes the machine's audit lock (auditnl.Lock), returns a
// request connection and makes the test restore the audit configuration it
// found (rules, enabled flag, failure mode, rate and
// backlog settings) and verify it, daemon pid included, when it ends. It
// skips the test when not root.
func KeepState(t testing.TB) *auditnl.Conn {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_AUDIT_CONTROL)")
	}
	unlock, err := auditnl.Lock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unlock() }) // runs last: after the restore below
	c, err := auditnl.Dial()
	if errors.Is(err, auditnl.ErrMissingConfig) {
		t.Skipf("kernel without audit: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer c.Close()
		if err := c.Restore(before); err != nil {
			t.Errorf("restore audit configuration: %v", err)
		}
		if err := c.Verify(before); err != nil {
			t.Errorf("audit configuration left changed: %v", err)
		}
	})
	return c
}
