package auditnl

import (
	"encoding/binary"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestStatusMarshalLayout(t *testing.T) {
	s := Status{Enabled: 1, Failure: 2, PID: 3, RateLimit: 4, BacklogLimit: 5, Lost: 6,
		Backlog: 7, FeatureBitmap: 8, BacklogWaitTime: 9, BacklogWaitTimeActual: 10}
	b := s.marshal(MaskBacklogLimit | MaskBacklogWaitTime)
	if len(b) != 44 {
		t.Fatalf("marshal: %d bytes, want 44 (sizeof struct audit_status)", len(b))
	}
	if got := nativeU32(b[0:]); got != 0x30 {
		t.Errorf("mask word = %#x, want 0x30", got)
	}
	for i := 1; i <= 10; i++ {
		if got := nativeU32(b[4*i:]); got != uint32(i) {
			t.Errorf("word %d = %d, want %d", i, got, i)
		}
	}
	back, err := unmarshalStatus(b)
	if err != nil || back != s {
		t.Errorf("unmarshal(marshal(s)) = %+v, %v; want %+v", back, err, s)
	}
	// A 4.19-era kernel answers with 40 bytes (no backlog_wait_time_actual).
	old, err := unmarshalStatus(b[:40])
	if err != nil || old.BacklogWaitTime != 9 || old.BacklogWaitTimeActual != 0 {
		t.Errorf("short status: %+v, %v", old, err)
	}
	if _, err := unmarshalStatus(b[:20]); !errors.Is(err, ErrProtocol) {
		t.Errorf("20-byte status: err = %v, want ErrProtocol", err)
	}
}

// TestStatusHost reads the status and compares it with what auditctl (from
// Debian's auditd package), an independent implementation, reports.
func TestStatusHost(t *testing.T) {
	c := dialHost(t)
	s, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("status: %+v", s)
	if s.FeatureBitmap&unix.AUDIT_FEATURE_BITMAP_BACKLOG_WAIT_TIME == 0 {
		t.Errorf("feature bitmap %#x lacks BACKLOG_WAIT_TIME (in every kernel since 3.14)", s.FeatureBitmap)
	}
	if _, err := exec.LookPath("auditctl"); err != nil {
		t.Log("auditctl not installed (Debian package auditd); skipping cross-check")
		return
	}
	out, err := exec.Command("auditctl", "-s").Output()
	if err != nil {
		t.Fatalf("auditctl -s: %v", err)
	}
	want := map[string]uint32{
		"enabled": s.Enabled, "failure": s.Failure, "pid": s.PID, "rate_limit": s.RateLimit,
		"backlog_limit": s.BacklogLimit, "lost": s.Lost, "backlog_wait_time": s.BacklogWaitTime,
	}
	seen := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		w, ok := want[f[0]]
		if !ok {
			continue
		}
		seen++
		v, err := strconv.ParseUint(f[1], 10, 32)
		if err != nil || uint32(v) != w {
			t.Errorf("auditctl says %s %s, Status says %d", f[0], f[1], w)
		}
	}
	if seen != len(want) {
		t.Errorf("auditctl -s printed %d of the %d compared fields:\n%s", seen, len(want), out)
	}
}

// TestSetStatusHost changes the backlog settings and puts them back. With
// audit disabled this has no effect on any task (audit_do_config_change
// only logs the change when audit is enabled).
func TestSetStatusHost(t *testing.T) {
	c := dialHost(t)
	s, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	want := s
	want.BacklogLimit = s.BacklogLimit + 1000
	want.BacklogWaitTime = 0
	if err := c.SetStatus(want, MaskBacklogLimit|MaskBacklogWaitTime); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.SetStatus(s, MaskBacklogLimit|MaskBacklogWaitTime); err != nil {
			t.Errorf("restore: %v", err)
		}
	})
	got, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if got.BacklogLimit != want.BacklogLimit || got.BacklogWaitTime != 0 {
		t.Errorf("after SetStatus: backlog_limit %d wait %d, want %d and 0", got.BacklogLimit, got.BacklogWaitTime, want.BacklogLimit)
	}
}

func TestSetStatusRefusesEnable(t *testing.T) {
	c := &Conn{fd: -1}
	if err := c.SetStatus(Status{Enabled: 1}, MaskEnabled); !errors.Is(err, ErrEnableNotPermitted) {
		t.Errorf("enable without PermitEnable: err = %v, want ErrEnableNotPermitted", err)
	}
	c.PermitEnable()
	if err := c.SetStatus(Status{Enabled: 2}, MaskEnabled); !errors.Is(err, ErrInvalid) {
		t.Errorf("enabled=2: err = %v, want ErrInvalid", err)
	}
	if err := c.SetStatus(Status{}, StatusMask(unix.AUDIT_STATUS_LOST)); !errors.Is(err, ErrInvalid) {
		t.Errorf("lost reset: err = %v, want ErrInvalid", err)
	}
}

func TestFeaturesHost(t *testing.T) {
	c := dialHost(t)
	f, err := c.Features()
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != unix.AUDIT_FEATURE_VERSION {
		t.Errorf("feature version %d, want %d", f.Version, unix.AUDIT_FEATURE_VERSION)
	}
	t.Logf("features %+v immutable=%v", f, f.LoginUIDImmutable())
}
func nativeU32(b []byte) uint32 { return binary.NativeEndian.Uint32(b) }
