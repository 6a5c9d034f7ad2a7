// Package harnesstest builds the harness configurations of tests that run
// backends in qemu guests, so that each test states only what it measures.
package harnesstest

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/vmtests"
)

// Guests returns the configuration of a portability run (coverage only,
// budget per cell) in guests only, not on this machine, with the test's
// tracebench binaries and its own output directory and run id. The caller
// sets the backends, events and modes.
func Guests(t testing.TB, cache *vmtests.Cache, budget time.Duration, guests ...vmtests.Target) harness.Config {
	t.Helper()
	return harness.Config{
		Exe: testutil.Binary(t), AgentArgs: []string{"workload", "agent"}, ServeArgs: []string{"backend", "serve"},
		CellBudget: budget, GuestBudget: budget, CoverageOnly: true,
		SkipLocal: true, Guests: guests, Cache: cache, GuestBinaries: testutil.GuestBinaries(t),
		OutDir: t.TempDir(), RunID: fmt.Sprintf("%s-%d", unsafeID.ReplaceAllString(t.Name(), "-"), time.Now().UnixNano()),
	}
}

// unsafeID matches what a run id (a directory and cgroup name) must not hold.
var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)
