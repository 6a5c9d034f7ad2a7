package harness_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/harness/harnesstest"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
)

// guestBackends are the backends the portability suite checks on every
// default guest kernel.
var guestBackends = []string{
	"ebpf/tracepoint", "ebpf/rawtp", "ebpf/tp_btf", "ebpf/kprobe", "ebpf/kretprobe", "ebpf/kprobe_multi",
	"ebpf/fentry", "ebpf/fexit", "ftrace/event", "ftrace/function", "ftrace/kprobe",
}

// needs names, per backend, the kernel options without which the kernel
// truly lacks the feature, and the class of the reason then: kprobe_multi
// needs fprobe (5.18+), fentry and fexit need ftrace direct calls (x86
// since 5.5, arm64 only since 6.4); tp_btf, fentry and fexit need the
// kernel's own BTF (the nobtf target has none: the kernel verifies them
// against it, external BTF serves CO-RE only). The first option missing
// decides. Every other backend must work on every default kernel.
var needs = map[string][]need{
	"ebpf/kprobe_multi": {{"CONFIG_FPROBE", backends.MissingConfig}},
	"ebpf/tp_btf":       {{"CONFIG_DEBUG_INFO_BTF", backends.MissingBTF}},
	"ebpf/fentry":       {{"CONFIG_DEBUG_INFO_BTF", backends.MissingBTF}, {"CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS", backends.MissingConfig}},
	"ebpf/fexit":        {{"CONFIG_DEBUG_INFO_BTF", backends.MissingBTF}, {"CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS", backends.MissingConfig}},
}

type need struct {
	option string
	class  backends.Class
}

// missing returns the first need of backend that config lacks.
func missing(backend string, config map[string]bool) (need, bool) {
	for _, n := range needs[backend] {
		if !config[n.option] {
			return n, true
		}
	}
	return need{}, false
}

// TestGuests is the portability suite: it boots every guest of the default
// kernel matrix (amd64 and arm64, under qemu; the nobtf kernel is built
// first if the cache lacks it), runs every event and mode of guestBackends
// in each, and checks each cell against what the kernel's configuration
// says: exact coverage where the feature is built in (on nobtf, with the
// minimized BTF generated from its DWARF), an unsupported cell classified
// as in needs where it is not.
func TestGuests(t *testing.T) {
	cache := testutil.GuestCache(t)
	var guests []vmtests.Target
	config := map[string]map[string]bool{} // target → options built in
	for _, tg := range vmtests.DefaultMatrix().Targets {
		if tg.Host() {
			continue
		}
		k, err := cache.Fetch(t.Context(), tg)
		if err != nil {
			t.Fatal(err)
		}
		config[tg.Name] = kernelConfig(t, k.Config)
		guests = append(guests, tg)
	}
	cfg := harnesstest.Guests(t, cache, 2*time.Second, guests...)
	cfg.Backends, cfg.Events, cfg.Modes = guestBackends, event.All, []backends.Mode{backends.Count, backends.Stream}
	start := time.Now()
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("portability suite: %d cells on %d guests in %v", len(run.Cells), len(guests), time.Since(start).Round(time.Second))
	arch := map[string]string{}
	for _, g := range guests {
		arch[g.Name] = g.Arch
	}
	if len(run.Targets) != len(guests) {
		t.Errorf("%d targets in the results, want %d", len(run.Targets), len(guests))
	}
	for _, tg := range run.Targets {
		if tg.Host.KernelRelease == "" || tg.Host.Arch != arch[tg.Name] {
			t.Errorf("%s: facts %+v, want a kernel release and arch %s", tg.Name, tg.Host, arch[tg.Name])
		}
	}
	if want := len(guests) * len(guestBackends) * 2 * len(event.All); len(run.Cells) != want {
		t.Errorf("%d cells, want %d", len(run.Cells), want)
	}
	for _, c := range run.Cells {
		name := fmt.Sprintf("%s %s %s %s", c.Target, c.Backend, c.Mode, c.Event)
		if n, ok := missing(c.Backend, config[c.Target]); ok {
			if c.Status != results.Unsupported || c.Reason.Class != string(n.class) {
				t.Errorf("%s: the kernel lacks %s, want unsupported %s; got %s %+v", name, n.option, n.class, c.Status, c.Reason)
			}
			continue
		}
		if c.Status != results.OK {
			t.Errorf("%s: %s %+v", name, c.Status, c.Reason)
			continue
		}
		if cv := c.Coverage; cv.Seen != cv.Produced || cv.Lost != 0 || cv.Invalid != 0 || cv.Produced == 0 {
			t.Errorf("%s: coverage %+v", name, *cv)
		}
		if c.ProbePoint == "" || (c.AttachNs == 0 && !coarseClock(config[c.Target])) {
			t.Errorf("%s: probe point %q attach %d", name, c.ProbePoint, c.AttachNs)
		}
	}
}

// coarseClock says whether an x86 guest kernel keeps time in jiffies:
// without ACPI it cannot find the HPET or PM timer to calibrate the TSC
// against under qemu, marks the TSC unstable and falls back to
// refined-jiffies (seen on the nobtf kernel): an attach shorter than a
// tick reads 0.
func coarseClock(config map[string]bool) bool {
	return config["CONFIG_X86_64"] && !config["CONFIG_ACPI"]
}

// kernelConfig reads the options built in (=y) from a kernel's config file.
func kernelConfig(t *testing.T, path string) map[string]bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("kernel config: %v", err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && v == "y" {
			out[k] = true
		}
	}
	return out
}
