package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

// The front-end table shows a tool's facts, and its native counterpart's
// load and attach; a run without front ends has no such table.
func TestFrontEndTable(t *testing.T) {
	native := results.Cell{Target: "host", Backend: "ebpf/tracepoint", Mode: "count", Event: event.Getppid, Status: results.OK, SetupNs: 2_000_000, AttachNs: 1_000_000}
	tool := results.Cell{Target: "host", Backend: "bpftrace/tracepoint", Mode: "count", Event: event.Getppid, Status: results.OK, AttachNs: 600_000_000,
		Facts: map[string]string{"startup_ns": "623000000", "startup_cpu_ns": "200000000", "peak_rss_kb": "90500", "footprint_kb": "265988", "footprint_packages": "13"}}
	var b bytes.Buffer
	FrontEndTable(&b, &results.Run{Cells: []results.Cell{native}})
	if b.Len() != 0 {
		t.Errorf("a table without front ends:\n%s", b.String())
	}
	FrontEndTable(&b, &results.Run{Cells: []results.Cell{native, tool}})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and 2 rows:\n%s", b.String())
	}
	for _, want := range []string{"3ms (load+attach)", "static binary"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("native row %q lacks %q", lines[1], want)
		}
	}
	for _, want := range []string{"623ms", "200ms", "88.4 MiB", "259.8 MiB (13 packages)"} {
		if !strings.Contains(lines[2], want) {
			t.Errorf("front-end row %q lacks %q", lines[2], want)
		}
	}
}
