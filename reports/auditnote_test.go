package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

// A host run with audit cells says they ran last and when audit was first
// enabled; an emulated guest, and a run without audit, say nothing.
func TestAuditOrder(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)
	cell := func(target, backend string, st results.Status, at time.Time) results.Cell {
		return results.Cell{Target: target, Backend: backend, Mode: "wait", Event: event.Getppid, Status: st, Started: at}
	}
	r := &results.Run{
		Targets: []results.Target{{Name: "host"}, {Name: "debian:6.1/amd64", Host: results.Host{Emulated: true}}},
		Cells: []results.Cell{
			cell("host", "ebpf/tracepoint", results.OK, t0),
			cell("host", "audit/netlink", results.Unsupported, t0.Add(time.Minute)),
			cell("host", "audit/auditd", results.OK, t0.Add(3*time.Minute)),
			cell("host", "audit/netlink", results.OK, t0.Add(2*time.Minute)),
			cell("debian:6.1/amd64", "audit/netlink", results.OK, t0),
		},
	}
	got := auditOrder(r)
	if len(got) != 1 {
		t.Fatalf("%d findings, want 1 (the host's): %v", len(got), got)
	}
	for _, want := range []string{"host", "audit/auditd, audit/netlink", "2026-12-07 16:02:00 UTC", "until reboot"} {
		if !strings.Contains(got[0].Text, want) {
			t.Errorf("finding %q lacks %q", got[0].Text, want)
		}
	}
	r.Cells = r.Cells[:1]
	if got := auditOrder(r); len(got) != 0 {
		t.Errorf("run without audit: %v", got)
	}
}
