package harness_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/harness/harnesstest"
	"github.com/tracebench/tracebench/internal/btfgen"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
)

// coreBackends are the eBPF backends whose programs read kernel fields
// through CO-RE and load without the kernel's own BTF when given external
// BTF (tp_btf and fentry cannot: see needs).
var coreBackends = []string{"ebpf/tracepoint", "ebpf/rawtp", "ebpf/kprobe", "ebpf/kretprobe"}

// TestNoBTFGuest boots the kernel built without BTF (nobtf:6.1/amd64,
// built first if the cache lacks it) four ways at once and checks what
// TestGuests does not:
//   - minimized: the BTF generated from its DWARF, cut to tracebench's
//     objects, as the matrix boots it: the facts say so, with both sizes;
//   - full: the whole generated file: exact coverage, CO-RE values right;
//   - none: the same kernel as a plain image, no external BTF: every eBPF
//     cell unsupported, missing-btf, "no kernel BTF";
//   - wrong: the host kernel's BTF (another kernel: task_struct offsets
//     differ) — the negative control: no stream cell may pass, since the
//     tgid and parent read through CO-RE are checked against ground truth.
func TestNoBTFGuest(t *testing.T) {
	cache := testutil.GuestCache(t)
	nobtf := testutil.DefaultTarget(t, "nobtf:6.1/amd64")
	k, err := cache.Fetch(t.Context(), nobtf)
	if err != nil {
		t.Fatal(err)
	}
	const hostBTF = "/sys/kernel/btf/vmlinux"
	if _, err := os.Stat(hostBTF); err != nil {
		t.Skipf("the negative control needs the host's BTF: %v", err)
	}
	full := nobtf
	full.Name, full.BTFMin = "nobtf-full", false
	none := vmtests.Target{Name: "nobtf-none", Arch: "amd64", Source: vmtests.LocalImage{Image: k.Image}}
	wrong := nobtf
	wrong.Name, wrong.BTF = "nobtf-wrong", hostBTF
	stream := []backends.Mode{backends.Stream}
	both := []backends.Mode{backends.Count, backends.Stream}
	checked := []event.Event{event.Getppid, event.Exec}
	runs := map[string]*results.Run{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, r := range []struct {
		target   vmtests.Target
		backends []string
		modes    []backends.Mode
		events   []event.Event
	}{
		{nobtf, []string{"ebpf/tracepoint"}, both, []event.Event{event.Getppid}},
		{full, coreBackends, stream, checked},
		{none, append(coreBackends, "ebpf/tp_btf", "ebpf/fentry"), []backends.Mode{backends.Count}, []event.Event{event.Getppid}},
		{wrong, coreBackends, stream, checked},
	} {
		wg.Go(func() {
			cfg := harnesstest.Guests(t, cache, 2*time.Second, r.target)
			cfg.Backends, cfg.Events, cfg.Modes = r.backends, r.events, r.modes
			run, err := harness.Run(t.Context(), cfg)
			if err != nil {
				t.Errorf("%s: %v", r.target.Name, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			runs[r.target.Name] = run
			if want := len(r.backends) * len(r.modes) * len(r.events); len(run.Cells) != want {
				t.Errorf("%s: %d cells, want %d", r.target.Name, len(run.Cells), want)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, tg := range runs {
		if len(tg.Targets) != 1 || tg.Targets[0].Host.BTF || !strings.HasPrefix(tg.Targets[0].Host.KernelRelease, "6.1.") {
			t.Errorf("targets %+v: want a 6.1 guest without /sys/kernel/btf", tg.Targets)
		}
	}

	minFile := filepath.Join(t.TempDir(), "min.btf")
	fullInfo, minInfo, err := btfgen.MinimizeForTracebench(t.Context(), k.BTF, "amd64", minFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("nobtf BTF generated from DWARF: %d bytes (%d types); minimized for tracebench's objects: %d bytes (%d types)",
		fullInfo.Size, fullInfo.Types, minInfo.Size, minInfo.Types)
	for _, c := range runs[nobtf.Name].Cells {
		exact(t, c)
		want := map[string]string{"btf_source": loader.BTFFromDWARFMin, "btf_size": strconv.FormatInt(minInfo.Size, 10),
			"btf_full_size": strconv.FormatInt(fullInfo.Size, 10)}
		for f, v := range want {
			if c.Facts[f] != v {
				t.Errorf("%s: fact %s = %q, want %q", cellName(c), f, c.Facts[f], v)
			}
		}
		if n, _ := strconv.Atoi(c.Facts["core_relocations"]); n == 0 {
			t.Errorf("%s: core_relocations %q: the program reads nothing through CO-RE", cellName(c), c.Facts["core_relocations"])
		}
	}
	for _, c := range runs[full.Name].Cells {
		exact(t, c)
		if c.Facts["btf_source"] != loader.BTFFromDWARF || c.Facts["btf_size"] != strconv.FormatInt(fullInfo.Size, 10) {
			t.Errorf("%s: facts %v, want the full generated BTF (%d bytes)", cellName(c), c.Facts, fullInfo.Size)
		}
	}
	for _, c := range runs[none.Name].Cells {
		if c.Status != results.Unsupported || c.Reason == nil || c.Reason.Class != string(backends.MissingBTF) || !strings.Contains(c.Reason.Detail, "no kernel BTF") {
			t.Errorf("%s without external BTF: %s %+v, want unsupported missing-btf \"no kernel BTF\"", cellName(c), c.Status, c.Reason)
		}
	}
	for _, c := range runs[wrong.Name].Cells {
		t.Logf("negative control %s: %s %+v", cellName(c), c.Status, c.Reason)
		if c.Status == results.OK {
			t.Errorf("%s with another kernel's BTF passed: coverage %+v; wrong CO-RE values must be caught", cellName(c), c.Coverage)
		}
	}
}

func cellName(c results.Cell) string {
	return fmt.Sprintf("%s %s %s %s", c.Target, c.Backend, c.Mode, c.Event)
}

// exact checks a cell saw every event, lost none, and (stream mode) read
// the right values through CO-RE.
func exact(t *testing.T, c results.Cell) {
	t.Helper()
	if c.Status != results.OK || c.Coverage == nil {
		t.Errorf("%s: %s %+v", cellName(c), c.Status, c.Reason)
		return
	}
	if cv := c.Coverage; cv.Seen != cv.Produced || cv.Lost != 0 || cv.Invalid != 0 || cv.Produced == 0 {
		t.Errorf("%s: coverage %+v", cellName(c), *cv)
	}
}
