package tracecmd_test

import (
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ftrace/tracecmd"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/harness/harnesstest"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

// TestTraceCmdGuest runs trace-cmd where the host kernel refuses it: in an
// amd64 guest (the host's trace-cmd and its libraries are carried in),
// recording getppid and openat for the workload's tasks only. Every event
// the workload made must be in the trace file, none of the harness's
// noise process, nothing lost, and the start-up measured.
func TestTraceCmdGuest(t *testing.T) {
	cache := testutil.GuestCache(t)
	target := testutil.DefaultTarget(t, "debian:6.1/amd64")
	events := []event.Event{event.Getppid, event.Openat}
	cfg := harnesstest.Guests(t, cache, time.Second, target)
	cfg.Backends, cfg.Events, cfg.Modes = []string{tracecmd.Name}, events, []backends.Mode{backends.Stream}
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != len(events) {
		t.Fatalf("%d cells, want %d", len(run.Cells), len(events))
	}
	for _, c := range run.Cells {
		if c.Status != results.OK {
			t.Errorf("%s: %s %+v", c.Event, c.Status, c.Reason)
			continue
		}
		cv := c.Coverage
		t.Logf("%s: seen %d lost %d of %d; facts %v", c.Event, cv.Seen, cv.Lost, cv.Produced, c.Facts)
		if cv.Produced == 0 || cv.Seen != cv.Produced || cv.Lost != 0 || cv.Unexplained != 0 {
			t.Errorf("%s: coverage %+v, want exact", c.Event, *cv)
		}
		if c.Facts["startup_ns"] == "" || c.Facts["peak_rss_kb"] == "" {
			t.Errorf("%s: facts %v, want the start-up and peak memory", c.Event, c.Facts)
		}
	}
}
