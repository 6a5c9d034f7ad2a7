package harness_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/harness/harnesstest"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
)

// TestHiddenBTFGuests boots every Debian guest of the default matrix with
// /sys/kernel/btf hidden from user space (hide_btf), so that the CO-RE
// backends load only through the committed minimized BTF of the kernel's
// release (vmtests/btf): exact coverage, right CO-RE values, amd64 and
// arm64; tp_btf, which needs BTF user space can see, is missing-btf.
func TestHiddenBTFGuests(t *testing.T) {
	cache := testutil.GuestCache(t)
	for _, tg := range vmtests.DefaultMatrix().Targets {
		if _, ok := tg.Source.(vmtests.DebianPackage); !ok {
			continue
		}
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			k, err := cache.Fetch(t.Context(), tg)
			if err != nil {
				t.Fatal(err)
			}
			committed, err := vmtests.CommittedBTF(k.Release)
			if errors.Is(err, vmtests.ErrNoCommittedBTF) {
				// Debian published a build newer than the committed data.
				t.Skipf("%s resolves to %s: %v", tg.Name, k.Release, err)
			}
			hidden := tg
			hidden.Name, hidden.HideBTF = tg.Name+"+hidden-btf", true
			cfg := harnesstest.Guests(t, cache, 2*time.Second, hidden)
			cfg.Backends, cfg.Events, cfg.Modes = append(coreBackends, "ebpf/tp_btf"), []event.Event{event.Getppid, event.Exec}, []backends.Mode{backends.Stream}
			run, err := harness.Run(t.Context(), cfg)
			if err != nil {
				t.Errorf("%s: %v", hidden.Name, err)
				return
			}
			if len(run.Targets) != 1 || run.Targets[0].Host.BTF {
				t.Errorf("%s: targets %+v, want one guest whose user space sees no kernel BTF", hidden.Name, run.Targets)
			}
			if want := (len(coreBackends) + 1) * 2; len(run.Cells) != want {
				t.Errorf("%s: %d cells, want %d", hidden.Name, len(run.Cells), want)
			}
			for _, c := range run.Cells {
				if c.Backend == "ebpf/tp_btf" {
					if c.Status != results.Unsupported || c.Reason == nil || c.Reason.Class != string(backends.MissingBTF) {
						t.Errorf("%s: %s %+v, want unsupported missing-btf", cellName(c), c.Status, c.Reason)
					}
					continue
				}
				exact(t, c)
				if c.Facts["btf_source"] != loader.BTFExternalMin || c.Facts["btf_size"] != strconv.Itoa(len(committed)) {
					t.Errorf("%s: facts %v, want the committed minimized BTF (%d bytes)", cellName(c), c.Facts, len(committed))
				}
			}
		})
	}
}
