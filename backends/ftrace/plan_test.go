package ftrace

import (
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/tracefs"
	"github.com/tracebench/tracebench/kstate"
)

// Plan names one instance per event, and one probe per event for a
// backend that defines probes, under the names Setup will use: tracefs
// announces exactly these changes, and refuses any other.
func TestPlan(t *testing.T) {
	b := New(Spec{Name: "test", Probes: true}).(*Backend)
	plan, err := b.Plan(t.Context(), backends.Setup{Events: []event.Event{event.Getppid, event.Exec}, Tag: "tb-run/1"})
	if err != nil {
		t.Fatal(err)
	}
	root, err := tracefs.MountPoint()
	if err != nil {
		root = tracefs.DefaultMountPoint
		if len(plan) == 0 || plan[0].Kind != kstate.Mount || plan[0].Path != root {
			t.Fatalf("tracefs not mounted, plan %v does not start with its mount", plan)
		}
		plan = plan[1:]
	}
	var announced []tracefs.Change
	for _, ev := range []string{"getppid", "exec"} {
		announced = append(announced,
			tracefs.Change{Kind: tracefs.ChangeInstance, Path: root + "/instances/tracebench-tb_run_1_" + ev},
			tracefs.Change{Kind: tracefs.ChangeProbe, Path: root + "/kprobe_events", Name: "tracebench/tb_run_1_" + ev})
	}
	if len(plan) != len(announced) {
		t.Fatalf("plan %v, want %d changes", plan, len(announced))
	}
	ok := planned(plan)
	for _, c := range announced {
		if err := ok(c); err != nil {
			t.Error(err)
		}
	}
	for _, c := range []tracefs.Change{
		{Kind: tracefs.ChangeInstance, Path: root + "/instances/tracebench-tb_run_1_openat"},
		{Kind: tracefs.ChangeProbe, Path: root + "/kprobe_events", Name: "tracebench/other"},
		{Kind: tracefs.ChangeMount, Path: "/elsewhere"},
	} {
		if ok(c) == nil {
			t.Errorf("unplanned change %+v allowed", c)
		}
	}
}
