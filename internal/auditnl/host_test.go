package auditnl

import (
	"os"
	"testing"
)

// dialHost opens a request connection for a test that talks to the real
// kernel, skipping when not root or when the kernel has no audit. It fails
// the test if audit is enabled on a machine where the test did not enable it
// (the host must stay disabled) and, at the end of the test, checks that the
// status the test may touch is back to what it was.
func dialHost(t *testing.T) *Conn {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_AUDIT_CONTROL)")
	}
	c, err := Dial()
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	before, err := c.Status()
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	t.Cleanup(func() {
		defer c.Close()
		after, err := c.Status()
		if err != nil {
			t.Errorf("Status at cleanup: %v", err)
			return
		}
		if !sameSettings(before, after) {
			t.Errorf("audit status changed by the test:\nbefore %+v\nafter  %+v", before, after)
		}
	})
	return c
}

// sameSettings compares the settable fields of two statuses.
func sameSettings(a, b Status) bool {
	return a.Enabled == b.Enabled && a.Failure == b.Failure && a.PID == b.PID &&
		a.RateLimit == b.RateLimit && a.BacklogLimit == b.BacklogLimit &&
		a.BacklogWaitTime == b.BacklogWaitTime
}
