package audit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends/audit"
	auditdbackend "github.com/tracebench/tracebench/backends/audit/auditd"
	"github.com/tracebench/tracebench/backends/audit/netlink"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/harness/harnesstest"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

// guestTarget is where the audit backends are tested in CI: enabling audit
// there costs nothing lasting. amd64, so that the host's auditd (and its
// libraries) can be put in the guest.
const guestTarget = "debian:6.1/amd64"

// TestAuditGuest runs every event of both audit backends, in both backlog
// policies, through the harness in a guest: the workload started after
// Setup, selected by its login uid, counted exactly with nothing lost when
// the traced process waits; with the drop policy whatever is lost is
// accounted for by the kernel's lost counter.
// Each cell's Teardown compares the audit configuration (status, rules,
// daemon registration) with the one it found and fails the cell if it
// differs, so an OK cell is also a restored one.
func TestAuditGuest(t *testing.T) {
	cache := testutil.GuestCache(t)
	target := testutil.DefaultTarget(t, guestTarget)
	backendNames := []string{netlink.Name, auditdbackend.Name}
	start := time.Now()
	cfg := harnesstest.Guests(t, cache, time.Second, target)
	cfg.Backends, cfg.Events = backendNames, event.All
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cells in %v", len(run.Cells), time.Since(start).Round(time.Second))
	if want := len(backendNames) * len(audit.Modes) * len(event.All); len(run.Cells) != want {
		t.Errorf("%d cells, want %d", len(run.Cells), want)
	}
	for _, c := range run.Cells {
		name := fmt.Sprintf("%s %s %s", c.Backend, c.Mode, c.Event)
		if c.Status != results.OK {
			t.Errorf("%s: %s %+v", name, c.Status, c.Reason)
			continue
		}
		cv := c.Coverage
		switch c.Mode {
		case string(audit.Wait):
			if cv.Produced == 0 || cv.Seen != cv.Produced || cv.Lost != 0 || cv.Unexplained != 0 {
				t.Errorf("%s: coverage %+v, want exact; facts %v", name, *cv, c.Facts)
			}
		default:
			// On one emulated CPU a receiver may fall behind and the drop
			// policy lose events: then they must be accounted for.
			if bound := number(c.Facts["audit_lost_overcount_max"]); cv.Produced == 0 || cv.Unexplained > 0 || -cv.Unexplained > bound {
				t.Errorf("%s: coverage %+v not accounted for (lost overcount bound %d); facts %v", name, *cv, bound, c.Facts)
			}
		}
		if c.Facts["audit_enabled_found"] != "0" || c.Facts["audit_filter"] == "auid=0" {
			t.Errorf("%s: facts %v, want audit found disabled and an auid filter", name, c.Facts)
		}
		t.Logf("%s: seen %d lost %d of %d, attach %v, cell %v", name, cv.Seen, cv.Lost, cv.Produced, time.Duration(c.AttachNs), time.Duration(c.ElapsedNs).Round(time.Millisecond))
	}
}
