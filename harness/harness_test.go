package harness_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/kstate"
	"github.com/tracebench/tracebench/results"
)

func config(t *testing.T, evs ...event.Event) harness.Config {
	return harness.Config{
		Exe:        testutil.Binary(t),
		AgentArgs:  []string{"workload", "agent"},
		ServeArgs:  []string{"backend", "serve"},
		Backends:   []string{"ebpf/tracepoint"},
		Events:     evs,
		Modes:      []backends.Mode{backends.Count},
		CellBudget: 6 * time.Second,
		OutDir:     t.TempDir(),
		RunID:      fmt.Sprintf("test-%d", time.Now().UnixNano()),
	}
}

func TestRun(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	cfg := config(t, event.Getppid, event.Openat)
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != 2 {
		t.Fatalf("%d cells, want 2", len(run.Cells))
	}
	for _, c := range run.Cells {
		if c.Status != results.OK {
			t.Fatalf("%s: %s %+v", c.Event, c.Status, c.Reason)
		}
		cov := c.Coverage
		if cov.Seen != cov.Produced || cov.Lost != 0 || cov.Unexplained != 0 || cov.Produced < 100 {
			t.Errorf("%s coverage %+v, want every produced event seen", c.Event, *cov)
		}
		o := c.Overhead
		if o.NOn < 6 || o.NOff < 6 {
			t.Errorf("%s: %d on / %d off samples, want at least 6 each (a bounded interval)", c.Event, o.NOn, o.NOff)
		}
		if c.Collateral == nil || c.AttachNs <= 0 || c.DetachNs <= 0 || c.Toggles < 2 {
			t.Errorf("%s: collateral %v attach %d detach %d toggles %d", c.Event, c.Collateral, c.AttachNs, c.DetachNs, c.Toggles)
		}
	}
	// A tracepoint doubles the cost of getppid: that must be resolved.
	if o := run.Cells[0].Overhead; !o.Resolved || o.AddedNs <= 0 || o.CILowNs > o.AddedNs || o.CIHighNs < o.AddedNs {
		t.Errorf("getppid overhead %+v: want a resolved positive effect inside its CI", *o)
	}
	onDisk, err := results.ReadDir(cfg.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(onDisk.Cells) != 2 || onDisk.Finished.IsZero() {
		t.Errorf("results.json: %d cells, finished %v", len(onDisk.Cells), onDisk.Finished)
	}
	if b, err := os.ReadFile(filepath.Join(cfg.OutDir, results.BenchFile)); err != nil || !bytes.Contains(b, []byte("event=getppid/state=on")) {
		t.Errorf("bench.txt: %v", err)
	}
	if pending, err := kstate.Read(filepath.Join(cfg.OutDir, kstate.JournalFile)); err != nil || len(pending) != 0 {
		t.Errorf("journal: %d changes still pending (%v)", len(pending), err)
	}
}

// killer is a Progress that kills the backend plugin once the first cell
// is measuring overhead.
type killer struct {
	once   sync.Once
	killed chan int
}

func (k *killer) Status(format string, args ...any) {
	if !strings.Contains(fmt.Sprintf(format, args...), "periods") {
		return
	}
	k.once.Do(func() {
		pid := pluginPID()
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		k.killed <- pid
	})
}

func (k *killer) CellDone(results.Cell) {}

// pluginPID finds our child serving the tracepoint backend.
func pluginPID() int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, _ := os.ReadFile(p)
		if !bytes.Contains(b, []byte("backend\x00serve\x00ebpf/tracepoint")) {
			continue
		}
		dir := filepath.Dir(p)
		st, _ := os.ReadFile(filepath.Join(dir, "stat"))
		f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			pid, _ := strconv.Atoi(filepath.Base(dir))
			return pid
		}
	}
	return 0
}

func TestPluginKilledMidRun(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	cfg := config(t, event.Getppid, event.Openat)
	k := &killer{killed: make(chan int, 1)}
	cfg.Progress = k
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if pid := <-k.killed; pid == 0 {
		t.Fatal("no plugin process found to kill")
	}
	if len(run.Cells) != 2 {
		t.Fatalf("%d cells, want 2", len(run.Cells))
	}
	first, second := run.Cells[0], run.Cells[1]
	if first.Status != results.Failed || !strings.Contains(first.Reason.Detail, "died") || !strings.Contains(first.Reason.Detail, "killed") {
		t.Errorf("killed cell: %s %+v, want failed because the plugin died (killed)", first.Status, first.Reason)
	}
	if second.Status != results.OK || second.Coverage.Seen != second.Coverage.Produced {
		t.Errorf("cell after the crash: %s %+v %+v", second.Status, second.Reason, second.Coverage)
	}
	if _, err := results.ReadDir(cfg.OutDir); err != nil {
		t.Errorf("results not written: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*harness.Config)
		want string
	}{
		{"no backend", func(c *harness.Config) { c.Backends = nil }, "no backend"},
		{"no event", func(c *harness.Config) { c.Events = nil }, "no event"},
		{"short budget", func(c *harness.Config) { c.CellBudget = time.Millisecond }, "too short"},
	} {
		cfg := config(t, event.Getppid)
		c.mod(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// The load sweep of a stream backend with a tiny ring buffer: at the
// lowest rate every event is seen; at some higher rate events are lost,
// and every point reconciles (seen + lost = produced). The program never
// wakes the reader (wakeup_batch above the ring's capacity), so the
// reader drains the ring every 20 ms: 16 KiB hold 682 records, so loss
// must start by 34,000 events/s, however fast the machine's reader is.
func TestLoadSweep(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	cfg := config(t, event.Getppid)
	cfg.Modes = []backends.Mode{backends.Stream}
	cfg.Load = true
	cfg.CellBudget = 8 * time.Second
	cfg.Options = map[string]string{"ringbuf_size": "16384", "wakeup_batch": "1048576"}
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := run.Cells[0]
	if c.Status != results.OK || c.Load == nil {
		t.Fatalf("cell %s %+v, load %v", c.Status, c.Reason, c.Load)
	}
	pts := c.Load.Points
	if len(pts) < 5 {
		t.Fatalf("%d points", len(pts))
	}
	if p := pts[0]; p.Seen != p.Produced || p.Lost != 0 {
		t.Errorf("lowest rate %.0f/s: seen %d of %d, lost %d", p.AchievedHz, p.Seen, p.Produced, p.Lost)
	}
	lossy := false
	for i, p := range pts {
		if p.Seen+p.Lost != p.Produced || p.Unexplained != 0 {
			t.Errorf("point %d: seen %d + lost %d != produced %d", i, p.Seen, p.Lost, p.Produced)
		}
		lossy = lossy || p.Lost > 0
		t.Logf("%.0f/s: seen %d, lost %d of %d", p.AchievedHz, p.Seen, p.Lost, p.Produced)
		if i > 0 && p.TargetHz != 0 && p.TargetHz <= pts[i-1].TargetHz {
			t.Errorf("target rates not rising: %v then %v", pts[i-1].TargetHz, p.TargetHz)
		}
	}
	if !lossy || c.Load.OnsetHz <= 0 {
		t.Errorf("a 16 KiB ring never lost events up to the workload's full rate (onset %v)", c.Load.OnsetHz)
	}
}
