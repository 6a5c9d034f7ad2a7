package plan

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests"
)

// defaultSelection is `--target all --backend all --event all`.
// cellsPerTarget is how many cells one target of sel has: every mode of
// every backend, times the events.
func cellsPerTarget(t *testing.T, sel Selection) int {
	n := 0
	for _, b := range sel.Backends {
		ms, err := Modes(b, sel.Modes)
		if err != nil {
			t.Fatal(err)
		}
		n += len(ms) * len(sel.Events)
	}
	return n
}

func defaultSelection(coverageOnly bool) Selection {
	return Selection{
		Targets: vmtests.DefaultMatrix().Targets, Backends: builtin.Names(), Events: event.All,
		CoverageOnly: coverageOnly, CellBudget: 60 * time.Second, GuestBudget: 20 * time.Second,
	}
}

// Every cell of the selection is in exactly one shard, for any number of
// shards, and the plan's record agrees with the shards.
func TestShardsPartitionThePlan(t *testing.T) {
	for _, covOnly := range []bool{false, true} {
		sel := defaultSelection(covOnly)
		all, err := sel.Cells()
		if err != nil {
			t.Fatal(err)
		}
		if want := len(sel.Targets) * cellsPerTarget(t, sel); len(all) != want {
			t.Fatalf("%d cells in the default matrix, want %d", len(all), want)
		}
		for n := 1; n <= 12; n++ {
			p, err := New(sel, n)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Shards) != n {
				t.Fatalf("n=%d: %d shards", n, len(p.Shards))
			}
			seen := map[results.Key]int{}
			for _, s := range p.Shards {
				if s.Index < 1 || s.Index > n || s.Count != n {
					t.Fatalf("n=%d: shard %s", n, s.Name())
				}
				for _, k := range s.Cells() {
					if prev, dup := seen[k]; dup {
						t.Fatalf("n=%d: %v in shards %d and %d", n, k, prev, s.Index)
					}
					seen[k] = s.Index
				}
			}
			if len(seen) != len(all) {
				t.Fatalf("n=%d: shards hold %d cells, the plan %d", n, len(seen), len(all))
			}
			if !slices.Equal(p.Cells(), all) {
				t.Fatalf("n=%d: plan cells are not the selection's, in canonical order", n)
			}
			for i := 1; i <= n; i++ {
				rec := p.Record(i)
				for _, c := range rec.Cells {
					if seen[c.Key()] != c.Shard {
						t.Fatalf("n=%d: record puts %v in shard %d, the shards in %d", n, c.Key(), c.Shard, seen[c.Key()])
					}
				}
			}
		}
	}
}

// The split depends on nothing but the selection: not on GOMAXPROCS, not
// on goroutines planning at once, not on the time.
func TestDeterministic(t *testing.T) {
	sel := defaultSelection(false)
	want, err := New(sel, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 7} {
		runtime.GOMAXPROCS(procs)
		var wg sync.WaitGroup
		plans := make([]*Plan, 8)
		for i := range plans {
			wg.Go(func() { plans[i], _ = New(sel, 5) })
		}
		wg.Wait()
		for _, p := range plans {
			if !reflect.DeepEqual(p, want) {
				t.Fatalf("GOMAXPROCS=%d: plan %s differs from %s", procs, p.ID, want.ID)
			}
		}
	}
}

// A fixed selection gives this split on every machine (the machine that
// plans is not probed: its architecture, CPUs or KVM play no part). The
// expectation changes with the cost model, on purpose only. On 3 shards
// each guest is one boot; on 4, halving guests and quartering the host
// balances the shards exactly.
func TestGolden(t *testing.T) {
	m := vmtests.DefaultMatrix()
	var targets []vmtests.Target
	for _, n := range []string{"host", "debian:6.1/arm64", "debian:5.10/amd64"} {
		tg, err := m.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tg)
	}
	sel := Selection{
		Targets: targets, Backends: []string{"ebpf/tracepoint", "ebpf/rawtp"}, Events: []event.Event{event.Getppid, event.Openat},
		CellBudget: 10 * time.Second, GuestBudget: 5 * time.Second,
	}
	for n, want := range map[int][]string{
		3: {
			"1/3 2m55s: debian:6.1/arm64/ebpf/tracepoint/count/getppid debian:6.1/arm64/ebpf/tracepoint/count/openat debian:6.1/arm64/ebpf/tracepoint/stream/getppid debian:6.1/arm64/ebpf/tracepoint/stream/openat debian:6.1/arm64/ebpf/rawtp/count/getppid debian:6.1/arm64/ebpf/rawtp/count/openat debian:6.1/arm64/ebpf/rawtp/stream/getppid debian:6.1/arm64/ebpf/rawtp/stream/openat",
			"2/3 2m55s: debian:5.10/amd64/ebpf/tracepoint/count/getppid debian:5.10/amd64/ebpf/tracepoint/count/openat debian:5.10/amd64/ebpf/tracepoint/stream/getppid debian:5.10/amd64/ebpf/tracepoint/stream/openat debian:5.10/amd64/ebpf/rawtp/count/getppid debian:5.10/amd64/ebpf/rawtp/count/openat debian:5.10/amd64/ebpf/rawtp/stream/getppid debian:5.10/amd64/ebpf/rawtp/stream/openat",
			"3/3 1m38s: host/ebpf/tracepoint/count/getppid host/ebpf/tracepoint/count/openat host/ebpf/tracepoint/stream/getppid host/ebpf/tracepoint/stream/openat host/ebpf/rawtp/count/getppid host/ebpf/rawtp/count/openat host/ebpf/rawtp/stream/getppid host/ebpf/rawtp/stream/openat",
		},
		4: {
			"1/4 2m15s: host/ebpf/tracepoint/count/getppid host/ebpf/tracepoint/count/openat debian:6.1/arm64/ebpf/rawtp/count/getppid debian:6.1/arm64/ebpf/rawtp/count/openat debian:6.1/arm64/ebpf/rawtp/stream/getppid debian:6.1/arm64/ebpf/rawtp/stream/openat",
			"2/4 2m15s: host/ebpf/tracepoint/stream/getppid host/ebpf/tracepoint/stream/openat debian:5.10/amd64/ebpf/tracepoint/count/getppid debian:5.10/amd64/ebpf/tracepoint/count/openat debian:5.10/amd64/ebpf/tracepoint/stream/getppid debian:5.10/amd64/ebpf/tracepoint/stream/openat",
			"3/4 2m15s: host/ebpf/rawtp/count/getppid host/ebpf/rawtp/count/openat debian:5.10/amd64/ebpf/rawtp/count/getppid debian:5.10/amd64/ebpf/rawtp/count/openat debian:5.10/amd64/ebpf/rawtp/stream/getppid debian:5.10/amd64/ebpf/rawtp/stream/openat",
			"4/4 2m15s: host/ebpf/rawtp/stream/getppid host/ebpf/rawtp/stream/openat debian:6.1/arm64/ebpf/tracepoint/count/getppid debian:6.1/arm64/ebpf/tracepoint/count/openat debian:6.1/arm64/ebpf/tracepoint/stream/getppid debian:6.1/arm64/ebpf/tracepoint/stream/openat",
		},
	} {
		p, err := New(sel, n)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range p.Shards {
			got = append(got, shardLine(s))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d shards:\n%s\nwant:\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// shardLine is a shard's name, cost and cells.
func shardLine(s Shard) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s:", s.Name(), s.Cost)
	for _, k := range s.Cells() {
		fmt.Fprintf(&b, " %s/%s/%s/%s", k.Target, k.Backend, k.Mode, k.Event)
	}
	return b.String()
}

// Longest processing time first guarantees the longest shard within the
// largest unit of the average; the default matrix does far better.
func TestBalanced(t *testing.T) {
	for _, covOnly := range []bool{false, true} {
		sel := defaultSelection(covOnly)
		for n := 1; n <= 12; n++ {
			p, err := New(sel, n)
			if err != nil {
				t.Fatal(err)
			}
			var longest, largest time.Duration
			for _, s := range p.Shards {
				longest = max(longest, s.Cost)
				for _, u := range s.Units {
					largest = max(largest, u.Cost)
				}
			}
			mean := p.Cost() / time.Duration(n)
			if longest > mean+largest {
				t.Errorf("coverage-only %v, %d shards: longest shard %s > mean %s + largest unit %s", covOnly, n, longest, mean, largest)
			}
			if n == 4 {
				t.Logf("coverage-only %v, 4 shards: longest %s, mean %s (%.1f%% over)", covOnly, longest, mean, 100*(float64(longest)/float64(mean)-1))
				if bound := mean + mean/20; longest > bound {
					t.Errorf("coverage-only %v, 4 shards: longest shard %s, more than 5%% over the mean %s", covOnly, longest, mean)
				}
			}
		}
	}
}

// A guest stays one boot when splitting it would not shorten the longest
// shard: on one shard, and when whole guests balance the shards exactly.
func TestGuestsStayTogether(t *testing.T) {
	sel := defaultSelection(true)
	p, err := New(sel, 1)
	if err != nil {
		t.Fatal(err)
	}
	guests := 0
	for _, tg := range sel.Targets {
		if !tg.Host() {
			guests++
		}
	}
	if got := p.Shards[0].Boots(); got != guests {
		t.Errorf("one shard boots %d guests, want each of the %d once", got, guests)
	}
	// Four Debian guests of equal cost.
	sel.Targets = slices.DeleteFunc(slices.Clone(sel.Targets), func(t vmtests.Target) bool {
		return t.Host() || t.Name == "debian:6.12/arm64" || !strings.HasPrefix(t.Name, "debian:")
	})
	if len(sel.Targets) != 4 {
		t.Fatalf("%d Debian guests besides 6.12/arm64, want 4", len(sel.Targets))
	}
	for _, n := range []int{2, 4} {
		p, err := New(sel, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Shards {
			if s.Boots() != 4/n || len(s.Cells()) != 4/n*cellsPerTarget(t, sel) {
				t.Errorf("4 equal guests on %d shards: shard %s boots %d (%d cells), want %d whole guests", n, s.Name(), s.Boots(), len(s.Cells()), 4/n)
			}
		}
	}
}

// More shards than units: the extra shards are empty, and still in the
// matrix (their jobs record that they had nothing to run).
func TestEmptyShards(t *testing.T) {
	sel := Selection{Targets: vmtests.DefaultMatrix().Targets[:1], Backends: []string{"ebpf/tracepoint"}, Events: []event.Event{event.Getppid}, Modes: []backends.Mode{backends.Count}, CellBudget: time.Second}
	p, err := New(sel, 3)
	if err != nil {
		t.Fatal(err)
	}
	m := p.Matrix()
	if len(m.Include) != 3 {
		t.Fatalf("%d matrix entries, want 3", len(m.Include))
	}
	var cells []int
	for _, e := range m.Include {
		cells = append(cells, e.Cells)
		if e.Plan != p.ID || e.Shard != fmt.Sprintf("%d/3", e.Index) {
			t.Errorf("entry %+v", e)
		}
	}
	if !slices.Equal(cells, []int{1, 0, 0}) {
		t.Errorf("cells per shard %v, want [1 0 0]", cells)
	}
}

func TestParseShard(t *testing.T) {
	for s, want := range map[string][2]int{"1/1": {1, 1}, "2/4": {2, 4}, "12/12": {12, 12}} {
		i, n, err := ParseShard(s)
		if err != nil || i != want[0] || n != want[1] {
			t.Errorf("ParseShard(%q) = %d, %d, %v", s, i, n, err)
		}
	}
	for _, s := range []string{"", "1", "0/4", "5/4", "-1/4", "1/0", "a/b", "1/4/2", " 1/4"} {
		if _, _, err := ParseShard(s); !errors.Is(err, ErrShard) {
			t.Errorf("ParseShard(%q): %v, want ErrShard", s, err)
		}
	}
}

// An external backend's modes are not known without starting it: the plan
// needs them given.
func TestExternalBackendNeedsModes(t *testing.T) {
	sel := Selection{Targets: vmtests.DefaultMatrix().Targets[:1], Backends: []string{"ext/probe"}, Events: event.All, CellBudget: time.Second}
	if _, err := New(sel, 2); !errors.Is(err, ErrUnknownModes) {
		t.Fatalf("external backend without modes: %v, want ErrUnknownModes", err)
	}
	sel.Modes = []backends.Mode{backends.Stream}
	p, err := New(sel, 2)
	if err != nil {
		t.Fatal(err)
	}
	if cells := p.Cells(); len(cells) != 4 || cells[0].Mode != "stream" {
		t.Errorf("cells %v", cells)
	}
}
