package auditnl

import (
	"errors"
	"os"
	"testing"
)

// dialHost opens a request connection for a test that talks to the real
// kernel, skipping when not root. It takes the machine's audit lock,
// snapshots the audit configuration and, when the test ends, fails it if
// anything differs: status settings, daemon pid or rules.
func dialHost(t *testing.T) *Conn {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_AUDIT_CONTROL)")
	}
	unlock, err := Lock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unlock() }) // runs last: after the check below
	c, err := Dial()
	if errors.Is(err, ErrMissingConfig) {
		t.Skipf("kernel without audit: %v", err)
	}
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	before, err := c.Snapshot()
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if before.Status.Enabled != 0 && os.Getpid() != 1 {
		t.Logf("note: audit is enabled on this machine (enabled=%d)", before.Status.Enabled)
	}
	t.Cleanup(func() {
		defer c.Close()
		if err := c.Verify(before); err != nil {
			t.Errorf("audit configuration left changed by the test: %v", err)
		}
	})
	return c
}
