package auditnl

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMissingConfig runs on a kernel booted with audit=0, which has no audit
// netlink socket at all: Dial must say so with ErrMissingConfig, as it does
// for a kernel without CONFIG_AUDIT. Elsewhere it is skipped.
func TestMissingConfig(t *testing.T) {
	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		t.Skip(err)
	}
	if !strings.Contains(" "+strings.TrimSpace(string(cmdline))+" ", " audit=0 ") {
		t.Skip("runs on a kernel booted with audit=0")
	}
	c, err := Dial()
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded on a kernel booted with audit=0")
	}
	if !errors.Is(err, ErrMissingConfig) || !errors.Is(err, unix.EPROTONOSUPPORT) {
		t.Errorf("Dial: %v; want ErrMissingConfig (EPROTONOSUPPORT)", err)
	}
	if _, err := ListenMulticast(0); !errors.Is(err, ErrMissingConfig) {
		t.Errorf("ListenMulticast: %v; want ErrMissingConfig", err)
	}
}
