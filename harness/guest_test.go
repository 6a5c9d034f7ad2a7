package harness_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
)

// guestBackends are the backends the CI guest suite runs on every default
// kernel: each must see exactly what the workload produced there.
var guestBackends = []string{"ebpf/tracepoint"}

// TestGuests boots every guest of the default kernel matrix (amd64 and
// arm64, under qemu) and runs the cells of guestBackends in each, for every
// event and mode, in the portability suite's coverage-only mode.
func TestGuests(t *testing.T) {
	if testing.Short() {
		t.Skip("boots qemu guests")
	}
	testutil.RequireRoot(t)
	cache, err := vmtests.OpenCache("")
	if err != nil {
		t.Fatal(err)
	}
	var guests []vmtests.Target
	for _, tg := range vmtests.DefaultMatrix().Targets {
		if !tg.Host() {
			guests = append(guests, tg)
		}
	}
	cfg := harness.Config{
		Exe: testutil.Binary(t), AgentArgs: []string{"workload", "agent"}, ServeArgs: []string{"backend", "serve"},
		Backends: guestBackends, Events: event.All, Modes: []backends.Mode{backends.Count, backends.Stream},
		CellBudget: 2 * time.Second, GuestBudget: 2 * time.Second, CoverageOnly: true,
		SkipLocal: true, Guests: guests, Cache: cache, GuestBinaries: testutil.GuestBinaries(t),
		OutDir: t.TempDir(), RunID: fmt.Sprintf("guests-%d", time.Now().UnixNano()),
	}
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Targets) != len(guests) {
		t.Errorf("%d targets in the results, want %d", len(run.Targets), len(guests))
	}
	arch := map[string]string{}
	for _, g := range guests {
		arch[g.Name] = g.Arch
	}
	for _, tg := range run.Targets {
		if tg.Host.KernelRelease == "" || tg.Host.Arch != arch[tg.Name] {
			t.Errorf("%s: facts %+v, want a kernel release and arch %s", tg.Name, tg.Host, arch[tg.Name])
		}
	}
	want := len(guests) * len(guestBackends) * 2 * len(event.All)
	if len(run.Cells) != want {
		t.Errorf("%d cells, want %d", len(run.Cells), want)
	}
	for _, c := range run.Cells {
		if c.Status != results.OK {
			t.Errorf("%s %s %s %s: %s %+v", c.Target, c.Backend, c.Mode, c.Event, c.Status, c.Reason)
			continue
		}
		if cv := c.Coverage; cv.Seen != cv.Produced || cv.Lost != 0 || cv.Invalid != 0 || cv.Produced == 0 {
			t.Errorf("%s %s %s %s: coverage %+v", c.Target, c.Backend, c.Mode, c.Event, *cv)
		}
		if c.ProbePoint == "" || c.AttachNs == 0 {
			t.Errorf("%s %s %s %s: probe point %q attach %d", c.Target, c.Backend, c.Mode, c.Event, c.ProbePoint, c.AttachNs)
		}
	}
}
