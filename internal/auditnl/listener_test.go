package auditnl

import (
	"errors"
	"os"
	"testing"
)

// TestListenMulticastHost joins the read-only group. With audit disabled
// the kernel generates no records, so nothing may arrive.
func TestListenMulticastHost(t *testing.T) {
	c := dialHost(t)
	l, err := ListenMulticast(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Enabled != 0 {
		t.Skip("audit is enabled here; records may arrive from anywhere")
	}
	if m, err := l.Receive(0); !errors.Is(err, ErrTimeout) {
		t.Errorf("Receive with audit disabled: %+v, %v; want ErrTimeout", m, err)
	}
}

// TestListenDaemonHost registers as the audit daemon and unregisters.
// Registration does not enable audit; with audit disabled no record is
// generated for the daemon to receive.
func TestListenDaemonHost(t *testing.T) {
	c := dialHost(t)
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.PID != 0 {
		t.Skipf("an audit daemon (pid %d) is registered", st.PID)
	}
	l, err := ListenDaemon(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			l.Close()
		}
	}()
	if st, err = c.Status(); err != nil || st.PID != uint32(os.Getpid()) {
		t.Fatalf("status pid %d (%v) after registering, want %d", st.PID, err, os.Getpid())
	}
	// A second registration is refused and leaves the first in place. (The
	// kernel probes the registered daemon with an AUDIT_REPLACE message,
	// which Receive skips, and logs the refusal in a CONFIG_CHANGE record
	// even while audit is disabled.)
	if l2, err := ListenDaemon(0); !errors.Is(err, ErrDaemonRegistered) {
		if err == nil {
			l2.Close()
		}
		t.Errorf("second ListenDaemon: %v, want ErrDaemonRegistered", err)
	}
	if st, err = c.Status(); err != nil || st.PID != uint32(os.Getpid()) {
		t.Errorf("status pid %d (%v) after a refused registration, want %d", st.PID, err, os.Getpid())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	if st, err = c.Status(); err != nil || st.PID != 0 {
		t.Errorf("status pid %d (%v) after Close, want 0", st.PID, err)
	}
}
