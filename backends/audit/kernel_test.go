package audit_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/audit"
	auditdbackend "github.com/tracebench/tracebench/backends/audit/auditd"
	"github.com/tracebench/tracebench/backends/audit/netlink"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/auditd"
	"github.com/tracebench/tracebench/internal/auditnl"
	"github.com/tracebench/tracebench/kstate"
)

// These tests talk to the real kernel but never enable audit: they may run
// on any machine, and leave its audit configuration as found.

// snapshot returns a request connection and the audit configuration, and
// makes the test fail if the configuration differs when it ends (after
// every cleanup registered later). It skips without root or audit.
func snapshot(t *testing.T) *auditnl.Conn {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_AUDIT_CONTROL)")
	}
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
	if before.Status.Enabled == 2 {
		t.Skip("audit configuration locked (enabled=2)")
	}
	t.Cleanup(func() {
		defer c.Close()
		if err := c.Verify(before); err != nil {
			t.Errorf("audit configuration left changed: %v", err)
		}
	})
	return c
}

// journal opens a journal whose pending changes are undone when the test
// ends, before the configuration check of snapshot (cleanups run last
// registered first).
func journal(t *testing.T) *kstate.Journal {
	t.Helper()
	j, err := kstate.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := j.Close(); err != nil {
			t.Errorf("undo: %v", err)
		}
	})
	return j
}

// Probe answers for every event and mode of both backends, loading and
// deleting the rules it journaled, without enabling audit.
func TestProbe(t *testing.T) {
	c := snapshot(t)
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.PID != 0 {
		t.Skipf("an audit daemon (pid %d) is registered on this machine", st.PID)
	}
	j := journal(t)
	for _, b := range []backends.Backend{netlink.New(), auditdbackend.New()} {
		d, _ := b.Describe(context.Background())
		plan, err := b.Plan(context.Background(), backends.Setup{Events: event.All, Mode: audit.Wait, Tag: "tbprobetest"})
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range plan {
			if _, err := j.Record(ch); err != nil {
				t.Fatal(err)
			}
		}
		support, err := b.Probe(context.Background(), backends.ProbeRequest{Events: event.All, Modes: append(d.Modes, backends.Count), Tag: "tbprobetest"})
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		if len(support) != len(event.All)*3 {
			t.Fatalf("%s: %d answers, want %d", d.Name, len(support), len(event.All)*3)
		}
		for _, s := range support {
			switch {
			case s.Mode == backends.Count:
				if s.Reason == nil || s.Reason.Class != backends.NotApplicable {
					t.Errorf("%s %s count: %+v, want not-applicable", d.Name, s.Event, s.Reason)
				}
			case s.Reason != nil:
				t.Errorf("%s %s %s: %v", d.Name, s.Event, s.Mode, s.Reason)
			case s.ProbePoint == "":
				t.Errorf("%s %s %s: no probe point", d.Name, s.Event, s.Mode)
			}
		}
		if after, _ := c.Status(); after.Enabled != st.Enabled {
			t.Fatalf("%s: probe left audit enabled=%d, found %d", d.Name, after.Enabled, st.Enabled)
		}
	}
}

// A run that died with its rule loaded and the backlog changed leaves a
// journal from which both are undone.
func TestUndoStatusAndRule(t *testing.T) {
	c := snapshot(t)
	unlock, err := auditnl.Lock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unlock() })
	j := journal(t)
	b := netlink.New()
	plan, err := b.Plan(context.Background(), backends.Setup{Events: []event.Event{event.Openat}, Mode: audit.Drop, Filter: backends.Filter{LoginUID: 3900000077}, Tag: "tbundotest"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 2 || plan[0].Kind != audit.KindStatus || plan[1].Kind != audit.KindRule {
		t.Fatalf("plan %+v", plan)
	}
	for _, ch := range plan {
		if _, err := j.Record(ch); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := c.Status()
	if err := c.SetStatus(auditnl.Status{BacklogLimit: st.BacklogLimit + 1000, BacklogWaitTime: 0}, auditnl.MaskBacklogLimit|auditnl.MaskBacklogWaitTime); err != nil {
		t.Fatal(err)
	}
	var r auditnl.Rule
	if err := r.UnmarshalBinary(plan[1].Data); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRule(r); err != nil {
		t.Fatal(err)
	}
	if err := j.UndoAll(); err != nil {
		t.Fatal(err)
	}
	if len(j.Pending()) != 0 {
		t.Errorf("pending after undo: %v", j.Pending())
	}
	// snapshot's cleanup checks status and rules.
}

// An auditd left running by a crash (its pid never journaled) is found
// by its configuration directory, stopped and unregistered, and the
// directory removed.
func TestUndoDaemon(t *testing.T) {
	c := snapshot(t)
	if _, err := os.Stat("/usr/sbin/auditd"); err != nil {
		t.Skip("auditd not installed (Debian package auditd)")
	}
	if st, err := c.Status(); err != nil || st.PID != 0 {
		t.Skipf("an audit daemon is registered on this machine (status %+v, %v)", st, err)
	}
	unlock, err := auditnl.Lock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unlock() })
	j := journal(t)
	b := auditdbackend.New()
	plan, err := b.Plan(context.Background(), backends.Setup{Events: []event.Event{event.Getppid}, Mode: audit.Wait, Filter: backends.Filter{LoginUID: 3900000078}, Tag: "tbdaemontest"})
	if err != nil {
		t.Fatal(err)
	}
	daemon := plan[len(plan)-1]
	if daemon.Kind != audit.KindDaemon {
		t.Fatalf("plan ends with %+v, want the daemon", daemon)
	}
	if _, err := j.Record(daemon); err != nil {
		t.Fatal(err)
	}
	d, err := auditd.Start(auditd.DefaultConfig(daemon.Path), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	id := d.Identity()
	if st, _ := c.Status(); st.PID != uint32(id.PID) {
		t.Fatalf("status pid %d, want the daemon %d", st.PID, id.PID)
	}
	if err := j.UndoAll(); err != nil {
		t.Fatal(err)
	}
	if ids, err := auditd.FindByConfig(daemon.Path); err != nil || len(ids) != 0 {
		t.Errorf("daemons still running with %s: %v %v", daemon.Path, ids, err)
	}
	if _, err := os.Stat(daemon.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("directory %s left: %v", daemon.Path, err)
	}
	if st, _ := c.Status(); st.PID != 0 {
		t.Errorf("status pid %d after undo, want 0", st.PID)
	}
}
