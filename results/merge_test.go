package results

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/event"
)

// shardRuns are the two shards of a plan of four cells on host (shard 1:
// getppid, shard 2: openat) and one on a guest (shard 2), measured on two
// machines of one kind.
func shardRuns() (*Run, *Run) {
	plan := Plan{ID: "p1", Shards: 2, Cells: []PlanCell{
		{"host", "ebpf/tracepoint", "count", event.Getppid, 1},
		{"host", "ebpf/tracepoint", "count", event.Openat, 2},
		{"host", "ebpf/rawtp", "count", event.Getppid, 1},
		{"host", "ebpf/rawtp", "count", event.Openat, 2},
		{"debian:6.1/arm64", "ebpf/tracepoint", "count", event.Getppid, 2},
	}}
	host := func(machine string) Host {
		return Host{Machine: machine, KernelRelease: "6.18.0", Arch: "amd64", CPUModel: "EPYC", CPUs: 2, BTF: true}
	}
	cell := func(target, backend string, ev event.Event, machine string, st Status) Cell {
		c := Cell{Target: target, Backend: backend, Mode: "count", Event: ev, Status: st, Machine: machine,
			Started: time.Date(2026, 11, 25, 12, 0, int(ev), 0, time.UTC), Coverage: &Coverage{Produced: 100, Seen: 100}}
		if st != OK {
			c.Reason, c.Coverage = &Reason{Class: "missing-config", Detail: "no kprobes"}, nil
		}
		return c
	}
	cfg := Config{Targets: []string{"host"}, Backends: []string{"ebpf/tracepoint", "ebpf/rawtp"}, Events: []event.Event{event.Getppid, event.Openat}, CellBudget: time.Second, WorkloadCPU: 1}
	p1, p2 := plan, plan
	p1.Shard, p2.Shard = 1, 2
	a := &Run{SchemaVersion: SchemaVersion, RunID: "20261125-120010", Tracebench: "v1", Started: time.Date(2026, 11, 25, 12, 0, 10, 0, time.UTC), Finished: time.Date(2026, 11, 25, 12, 5, 0, 0, time.UTC), Config: cfg,
		Targets: []Target{{Name: "host", Host: host("runner-a")}},
		Cells:   []Cell{cell("host", "ebpf/rawtp", event.Getppid, "runner-a", OK), cell("host", "ebpf/tracepoint", event.Getppid, "runner-a", OK)}}
	a.Config.Plan = &p1
	b := &Run{SchemaVersion: SchemaVersion, RunID: "20261125-120000", Tracebench: "v1", Started: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Finished: time.Date(2026, 11, 25, 12, 9, 0, 0, time.UTC), Config: cfg,
		Targets: []Target{{Name: "host", Host: host("runner-b")}, {Name: "debian:6.1/arm64", Host: Host{Machine: "runner-b", KernelRelease: "6.1.0-56-arm64", Arch: "arm64", Emulated: true}}},
		Cells: []Cell{cell("host", "ebpf/tracepoint", event.Openat, "runner-b", OK), cell("host", "ebpf/rawtp", event.Openat, "runner-b", Unsupported),
			cell("debian:6.1/arm64", "ebpf/tracepoint", event.Getppid, "runner-b", OK)}}
	b.Config.Targets = []string{"host", "debian:6.1/arm64"}
	b.Config.Plan = &p2
	return a, b
}

func TestMergeShards(t *testing.T) {
	a, b := shardRuns()
	for _, r := range []*Run{a, b} {
		if err := r.Validate(); err != nil {
			t.Fatalf("shard fixture: %v", err)
		}
	}
	m, err := Merge([]Input{{"a", a}, {"b", b}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []Key
	for _, c := range m.Cells {
		keys = append(keys, c.Key())
	}
	var want []Key
	for _, c := range a.Config.Plan.Cells {
		want = append(want, c.Key())
	}
	if !slices.Equal(keys, want) {
		t.Errorf("merged cells %v, want every planned cell in plan order %v", keys, want)
	}
	if m.RunID != b.RunID || !m.Started.Equal(b.Started) || !m.Finished.Equal(b.Finished) {
		t.Errorf("merged run %s started %v finished %v: want the earliest start (%s) and the latest finish", m.RunID, m.Started, m.Finished, b.RunID)
	}
	if p := m.Config.Plan; p.Shard != 0 || !slices.Equal(p.Merged, []int{1, 2}) || p.ID != "p1" {
		t.Errorf("merged plan %+v", p)
	}
	if !slices.Equal(m.Config.Targets, []string{"host", "debian:6.1/arm64"}) {
		t.Errorf("merged targets %v", m.Config.Targets)
	}
	host := m.Targets[0]
	if host.Name != "host" || host.Host.Machine != "" || !slices.Equal(host.Machines, []string{"runner-a", "runner-b"}) || host.Host.KernelRelease != "6.18.0" {
		t.Errorf("host target %+v: want both machines listed", host)
	}
	if g := m.Targets[1]; g.Host.Machine != "runner-b" || g.Machines != nil {
		t.Errorf("guest target %+v: want its one machine", g)
	}
	for _, c := range m.Cells {
		if want := map[event.Event]string{event.Getppid: "runner-a", event.Openat: "runner-b"}[c.Event]; c.Target == "host" && c.Machine != want {
			t.Errorf("cell %v on %s, want %s", c.Key(), c.Machine, want)
		}
	}
	if miss := Missing(m); len(miss) != 0 {
		t.Errorf("missing %v", miss)
	}
	dir := t.TempDir()
	if err := Write(dir, m); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Error("merged run changed through results.json")
	}

	// A merge merges again with the shards it lacks, in any order.
	half, err := Merge([]Input{{"b", b}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Merge([]Input{{"a", a}, {"half", half}})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Cells) != 5 || !slices.Equal(again.Config.Plan.Merged, []int{1, 2}) {
		t.Errorf("merge of a merge: %d cells, shards %v", len(again.Cells), again.Config.Plan.Merged)
	}
}

func TestMergeMissing(t *testing.T) {
	a, _ := shardRuns()
	m, err := Merge([]Input{{"a", a}})
	if err != nil {
		t.Fatal(err)
	}
	miss := Missing(m)
	var got []string
	for _, c := range miss {
		got = append(got, c.Target+" "+c.Backend+" "+c.Event.String())
		if c.Shard != 2 {
			t.Errorf("missing %v from shard %d, want 2", c.Key(), c.Shard)
		}
	}
	want := []string{"host ebpf/tracepoint openat", "host ebpf/rawtp openat", "debian:6.1/arm64 ebpf/tracepoint getppid"}
	if !slices.Equal(got, want) {
		t.Errorf("missing %v, want %v", got, want)
	}
	if !m.Finished.IsZero() {
		t.Error("a merge with missing cells is marked finished")
	}
	// A shard's own missing cells are those of its shard only.
	a.Cells = a.Cells[:1]
	if miss := Missing(a); len(miss) != 1 || miss[0].Backend != "ebpf/tracepoint" {
		t.Errorf("shard 1 missing %v, want its tracepoint getppid cell", miss)
	}
}

func TestMergeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(a, b *Run) []Input
		class error
		words []string
	}{
		{"schema version", func(a, b *Run) []Input { b.SchemaVersion = 2; return []Input{{"a", a}, {"b", b}} },
			ErrVersion, []string{"b:", "schema_version 2"}},
		{"not a shard", func(a, b *Run) []Input { b.Config.Plan = nil; return []Input{{"a", a}, {"b", b}} },
			ErrNotShard, []string{"b:", "--shard"}},
		{"other plan", func(a, b *Run) []Input { b.Config.Plan.ID = "p2"; return []Input{{"a", a}, {"b", b}} },
			ErrPlanMismatch, []string{"plan p1", "plan p2"}},
		{"same results twice", func(a, b *Run) []Input { return []Input{{"a", a}, {"b", b}, {"b-copy", b}} },
			ErrDuplicate, []string{"host ebpf/tracepoint count openat", "b and b-copy"}},
		{"same empty shard twice", func(a, b *Run) []Input { b.Cells = nil; return []Input{{"b", b}, {"a", a}, {"b-copy", b}} },
			ErrDuplicate, []string{"shard 2/2", "b and b-copy"}},
		{"cell measured twice", func(a, b *Run) []Input {
			c := *b
			c.Cells = slices.Clone(b.Cells)
			c.Cells[0].Status, c.Cells[0].Reason, c.Cells[0].Machine = Failed, &Reason{Class: "failed", Detail: "plugin died"}, "runner-c"
			c.Targets = []Target{{Name: "host", Host: b.Targets[0].Host}, b.Targets[1]}
			return []Input{{"a", a}, {"b", b}, {"b-rerun", &c}}
		}, ErrConflict, []string{"host ebpf/tracepoint count openat", "measured twice", "b has ok", "b-rerun has failed", "runner-c"}},
		{"other tracebench", func(a, b *Run) []Input { b.Tracebench = "v2"; return []Input{{"a", a}, {"b", b}} },
			ErrConflict, []string{"tracebench v1", "tracebench v2"}},
		{"other budget", func(a, b *Run) []Input { b.Config.CellBudget = 2 * time.Second; return []Input{{"a", a}, {"b", b}} },
			ErrConflict, []string{"config.cell_budget_ns"}},
		{"other kernel on one target", func(a, b *Run) []Input {
			b.Targets[0].Host.KernelRelease = "6.19.0"
			return []Input{{"a", a}, {"b", b}}
		}, ErrConflict, []string{"target host", "runner-a", "runner-b", "kernel_release (6.18.0 vs 6.19.0)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := shardRuns()
			_, err := Merge(tc.edit(a, b))
			if !errors.Is(err, tc.class) {
				t.Fatalf("error %v, want class %v", err, tc.class)
			}
			for _, w := range tc.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// A guest split across shards that never booted in one of them (facts
// without a kernel release, as the harness records a failed boot) takes
// its facts from the shard where it did, whatever the order.
func TestMergeGuestNeverBooted(t *testing.T) {
	a, b := shardRuns()
	guest := b.Targets[1]
	extra := PlanCell{guest.Name, "ebpf/tracepoint", "count", event.Openat, 1}
	a.Config.Plan.Cells = append(a.Config.Plan.Cells, extra)
	b.Config.Plan.Cells = a.Config.Plan.Cells
	a.Targets = append(a.Targets, Target{Name: guest.Name, Host: Host{Arch: "arm64", Emulated: true}})
	a.Cells = append(a.Cells, Cell{Target: guest.Name, Backend: "ebpf/tracepoint", Mode: "count", Event: event.Openat, Status: Failed,
		Reason: &Reason{Class: "failed", Detail: "boot: timeout"}, Machine: "runner-a"})
	for _, in := range [][]Input{{{"a", a}, {"b", b}}, {{"b", b}, {"a", a}}} {
		m, err := Merge(in)
		if err != nil {
			t.Fatal(err)
		}
		g := m.Targets[slices.IndexFunc(m.Targets, func(t Target) bool { return t.Name == guest.Name })]
		if g.Host.KernelRelease != guest.Host.KernelRelease || g.Host.Machine != "runner-b" {
			t.Errorf("merged %s first: guest facts %+v, want those of the boot that worked", in[0].Name, g.Host)
		}
	}
}

// A shard's results hold only its own cells.
func TestShardValidates(t *testing.T) {
	a, b := shardRuns()
	a.Cells = append(a.Cells, b.Cells[0])
	err := a.Validate()
	if err == nil || !strings.Contains(err.Error(), "belongs to shard 2/2") {
		t.Errorf("shard 1 with a cell of shard 2: %v", err)
	}
	_, b = shardRuns()
	b.Config.Plan.Cells = append(b.Config.Plan.Cells, b.Config.Plan.Cells[0])
	if err := b.Validate(); err == nil || !strings.Contains(err.Error(), "planned twice") {
		t.Errorf("plan with a cell twice: %v", err)
	}
}
