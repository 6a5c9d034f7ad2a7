package bcc_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/harness/harnesstest"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

// TestBCCGuest runs bcc/tracepoint where BCC can compile: in a Debian 6.1
// amd64 guest, given the kernel's headers from Debian's packages and the
// host's root file system (Python, BCC, LLVM) over 9p, the plugin chrooted
// into it (run from a directory under /tmp, which is the guest's own in
// that chroot). BCC must see exactly the getppid calls the workload made,
// and report its start-up: the compile's time and CPU, its peak memory.
func TestBCCGuest(t *testing.T) {
	cache := testutil.GuestCache(t)
	target := testutil.DefaultTarget(t, "debian:6.1/amd64")
	// A copy under /tmp, which the guest binds over the host's in the
	// plugins' chroot: the plugins directory is shared on its own.
	dir := filepath.Join(t.TempDir(), "plugins")
	if err := os.CopyFS(dir, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	cfg := harnesstest.Guests(t, cache, time.Second, target)
	cfg.PluginsDir, cfg.Backends, cfg.Events = dir, []string{"bcc/tracepoint"}, []event.Event{event.Getppid}
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != 1 {
		t.Fatalf("%d cells, want 1", len(run.Cells))
	}
	c := run.Cells[0]
	if c.Status != results.OK {
		t.Fatalf("%s: %s %+v", c.Backend, c.Status, c.Reason)
	}
	cv := c.Coverage
	t.Logf("seen %d lost %d of %d; facts %v", cv.Seen, cv.Lost, cv.Produced, c.Facts)
	if cv.Produced == 0 || cv.Seen != cv.Produced || cv.Lost != 0 || cv.Unexplained != 0 {
		t.Errorf("coverage %+v, want exact", *cv)
	}
	if c.ProbePoint != "syscalls:sys_enter_getppid" || c.Facts["attach"] != "in-process" {
		t.Errorf("probe point %q, attach %q", c.ProbePoint, c.Facts["attach"])
	}
	for _, f := range []string{"startup_ns", "startup_cpu_ns", "peak_rss_kb"} {
		if n, err := strconv.ParseInt(c.Facts[f], 10, 64); err != nil || n <= 0 {
			t.Errorf("fact %s = %q, want a positive number", f, c.Facts[f])
		}
	}
}
