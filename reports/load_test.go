package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

func TestLoadFigure(t *testing.T) {
	r := &results.Run{
		RunID:   "load",
		Started: time.Now(),
		Targets: []results.Target{{Name: "host", Host: results.Host{KernelRelease: "6.18", Arch: "amd64"}}},
		Cells: []results.Cell{{
			Target: "host", Backend: "ebpf/tracepoint", Mode: "stream", Event: event.Getppid, Status: results.OK,
			Load: &results.Load{OnsetHz: 70000, Points: []results.LoadPoint{
				{TargetHz: 1000, AchievedHz: 1000, Coverage: results.Coverage{Produced: 100, Seen: 100}},
				{TargetHz: 100000, AchievedHz: 70000, Coverage: results.Coverage{Produced: 100, Seen: 60, Lost: 40}},
			}},
		}},
	}
	var names []string
	for _, f := range Figures(r) {
		names = append(names, f.Name)
	}
	if !strings.Contains(strings.Join(names, " "), "load") {
		t.Fatalf("figures %v lack the load curves", names)
	}
	f := loadFigure(newIndex(r))
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Coverage as the event rate rises", "ebpf/tracepoint stream", "host — getppid", "log scale"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("load chart lacks %q", want)
		}
	}
	r.Cells[0].Load = nil
	if loadFigure(newIndex(r)) != nil {
		t.Error("a run without load sweeps has a load chart")
	}
}
