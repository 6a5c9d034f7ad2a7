package audit

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/auditnl"
	"github.com/tracebench/tracebench/kstate"
)

// Each event's rule selects its syscalls on the exit filter, the workload
// by login uid (exec: successful calls only) and carries the cell's key.
func TestEventRule(t *testing.T) {
	want := map[event.Event][]int{event.Getppid: {110}, event.Openat: {257}, event.Exec: {59, 322}, event.Connect: {42}}
	for ev, nrs := range want {
		r, err := eventRule(auditnl.ArchX86_64, ev, "tb1_2", backends.Filter{LoginUID: 3900000002, PID: 77})
		if err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
		if got := r.Syscalls; len(got) != len(nrs) || got[0] != nrs[0] {
			t.Errorf("%s: syscalls %v, want %v", ev, got, nrs)
		}
		fields := map[auditnl.FieldType]auditnl.Field{}
		for _, f := range r.Fields {
			fields[f.Type] = f
		}
		if f := fields[auditnl.FieldLoginUID]; f.Value != 3900000002 || f.Op != auditnl.OpEqual {
			t.Errorf("%s: auid field %+v", ev, f)
		}
		if _, ok := fields[auditnl.FieldPID]; ok {
			t.Errorf("%s: rule filters by pid, which misses forked children", ev)
		}
		if _, ok := fields[auditnl.FieldSuccess]; ok != (ev == event.Exec) {
			t.Errorf("%s: success field present %v", ev, ok)
		}
		if k := r.KeyString(); k != "tracebench_tb1_2_"+ev.String() {
			t.Errorf("%s: key %q", ev, k)
		}
	}
}

// Without a login uid of its own the workload cannot be selected exactly:
// unsupported, classified.
func TestEventRuleNeedsLoginUID(t *testing.T) {
	for _, uid := range []uint32{0, auditnl.UnsetLoginUID} {
		_, err := eventRule(auditnl.ArchX86_64, event.Getppid, "t", backends.Filter{LoginUID: uid, PID: 5})
		if u, ok := backends.AsUnsupported(err); !ok || u.Class != backends.Permission {
			t.Errorf("login uid %d: %v, want unsupported permission", uid, err)
		}
	}
}

func TestPolicy(t *testing.T) {
	s, m, err := policy(Wait, nil)
	if err != nil || s.BacklogLimit != defaultBacklog || m&auditnl.MaskBacklogWaitTime != 0 {
		t.Errorf("wait: %+v mask %#x %v; want backlog 64 and the wait time left alone", s, m, err)
	}
	s, m, err = policy(Drop, map[string]string{OptBacklogLimit: "100"})
	if err != nil || s.BacklogLimit != 100 || s.BacklogWaitTime != 0 || m&auditnl.MaskBacklogWaitTime == 0 {
		t.Errorf("drop: %+v mask %#x %v; want backlog 100, wait 0", s, m, err)
	}
	for _, bad := range []string{"0", "-1", "lots"} {
		if _, _, err := policy(Drop, map[string]string{OptBacklogLimit: bad}); err == nil || !strings.Contains(err.Error(), OptBacklogLimit) {
			t.Errorf("backlog_limit=%s: %v, want an error naming the option", bad, err)
		}
	}
	if _, _, err := policy(backends.Count, nil); err == nil || !strings.Contains(err.Error(), `"count"`) {
		t.Errorf("mode count: %v, want an error naming it", err)
	}
}

// The plan lists the rule and, for a daemon receiver, the daemon, in the
// order they are made; every kind can be undone by this binary.
func TestPlanLists(t *testing.T) {
	b := New(Spec{Name: "audit/test", Daemon: true}).(*Backend)
	plan, err := b.Plan(context.Background(), backends.Setup{Events: []event.Event{event.Exec}, Mode: Wait, Filter: backends.Filter{LoginUID: 3900000009}, Tag: "tbX_9"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, c := range plan {
		if !kstate.Known(c.Kind) {
			t.Errorf("kind %q cannot be undone", c.Kind)
		}
		kinds = append(kinds, string(c.Kind))
	}
	got := strings.Join(kinds, ",")
	if got != "audit-status,audit-rule,audit-daemon" && got != "audit-rule,audit-daemon" {
		t.Errorf("plan kinds %s", got)
	}
	rule := plan[len(plan)-2]
	var r auditnl.Rule
	if err := r.UnmarshalBinary(rule.Data); err != nil || r.KeyString() != "tracebench_tbX_9_exec" {
		t.Errorf("planned rule %v %v", r, err)
	}
	if d := plan[len(plan)-1]; d.Path != DaemonDir("tbX_9") {
		t.Errorf("daemon change %+v", d)
	}
}

// A damaged journal entry is an error naming what it holds, never a
// silent success.
func TestUndoBadData(t *testing.T) {
	for _, c := range []kstate.Change{
		{Kind: KindStatus, Data: []byte("{")},
		{Kind: KindRule, Data: []byte{1, 2, 3}},
		{Kind: KindDaemon, Path: "/etc"},
	} {
		err := kstate.Undo(c)
		if err == nil || !strings.Contains(err.Error(), "audit") {
			t.Errorf("undo %s: %v, want an error about the audit entry", c.Kind, err)
		}
	}
	var s foundStatus
	if err := json.Unmarshal(statusChange(auditnl.Status{Enabled: 1, BacklogLimit: 9}).Data, &s); err != nil || s.Enabled != 1 || s.BacklogLimit != 9 {
		t.Errorf("status journaled as %+v %v", s, err)
	}
}
