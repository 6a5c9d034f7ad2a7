package analysis

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/results"
)

func TestPortability(t *testing.T) {
	r := readFixture(t, "matrix")
	m := Portability(r)
	if got := Backends(r); !reflect.DeepEqual(got, []string{"ebpf/tracepoint", "ebpf/rawtp", "ebpf/kprobe", "ebpf/fentry"}) {
		t.Fatalf("backends %v", got)
	}
	want := [][]Level{
		{Runs, Runs, Unsupported, Unsupported}, // host: no kprobes, fentry not permitted
		{Runs, Runs, Partial, Runs},            // 5.10: one kprobe cell read invalid values
		{Runs, Runs, Partial, Unsupported},     // arm64 6.1: no exec symbol, a crash; no fentry
	}
	for i, row := range m {
		for j, s := range row {
			if s.Level() != want[i][j] || s.Total != 8 {
				t.Errorf("%s %s: %s with %d/%d cells, want %s of 8", s.Target, s.Backend, s.Level(), s.OK, s.Total, want[i][j])
			}
			if (s.Level() == Runs) != (len(s.Reasons) == 0) {
				t.Errorf("%s %s: level %s with reasons %v", s.Target, s.Backend, s.Level(), s.Reasons)
			}
		}
	}
	// The same error on every event is one reason.
	fentry := m[0][3].Reasons
	if len(fentry) != 1 || fentry[0].Class != "permission" || len(fentry[0].Cells) != 8 ||
		!strings.Contains(fentry[0].Detail, "program fentry_*: load program") {
		t.Errorf("host fentry reasons: %+v", fentry)
	}
	arm := m[2][2]
	if arm.OK != 5 || len(arm.Reasons) != 2 {
		t.Fatalf("arm64 kprobe: %d ok, reasons %+v", arm.OK, arm.Reasons)
	}
	if g := arm.Reasons[0]; g.Status != results.Unsupported || g.Class != "missing-symbol" || !reflect.DeepEqual(g.Cells, []string{"count/exec", "stream/exec"}) {
		t.Errorf("first arm64 kprobe reason %+v", g)
	}
	if g := arm.Reasons[1]; g.Status != results.Failed || g.Class != "failed" || !reflect.DeepEqual(g.Cells, []string{"stream/connect"}) {
		t.Errorf("second arm64 kprobe reason %+v", g)
	}
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct{ in, word, want string }{
		{"program fentry_exec: load", "exec", "program fentry_*: load"},
		{"no execve for exec", "exec", "no execve for *"},
		{"exec", "exec", "*"},
		{"getppid getppid2", "getppid", "* getppid2"},
	} {
		if got := wildcard(c.in, c.word); got != c.want {
			t.Errorf("wildcard(%q, %q) = %q, want %q", c.in, c.word, got, c.want)
		}
	}
}

func TestKernelOrder(t *testing.T) {
	for rel, want := range map[string][]int{
		"5.10.0-35-amd64": {5, 10, 0}, "6.18.44-fc-v657": {6, 18, 44}, "6.1": {6, 1}, "4.19.0rc1": {4, 19, 0}, "vmlinux": nil,
	} {
		if got := KernelVersion(rel); !reflect.DeepEqual(got, want) {
			t.Errorf("KernelVersion(%q) = %v, want %v", rel, got, want)
		}
	}
	r := readFixture(t, "matrix")
	var names []string
	for _, tg := range ByKernel(r.Targets) {
		names = append(names, tg.Name)
	}
	if want := []string{"debian:5.10/amd64", "debian:6.1/arm64", "host"}; !reflect.DeepEqual(names, want) {
		t.Errorf("by kernel: %v, want %v", names, want)
	}
	want := []BTFUse{
		{Target: "host", KernelBTF: true, Source: "kernel", Loaded: 16, MinRelocations: 2, MaxRelocations: 6},
		{Target: "debian:5.10/amd64", Source: "external:/var/cache/tracebench/btf/5.10.0-35-amd64.btf", Loaded: 31, MinRelocations: 2, MaxRelocations: 6},
		{Target: "debian:6.1/arm64", KernelBTF: true, Source: "kernel", Loaded: 21, MinRelocations: 2, MaxRelocations: 6},
	}
	if got := BTFUses(r); !reflect.DeepEqual(got, want) {
		t.Errorf("BTF uses\n%+v\nwant\n%+v", got, want)
	}
	if got := Emulated(r); len(got) != 2 || got[0].Name != "debian:5.10/amd64" {
		t.Errorf("emulated targets %v", got)
	}
}

func TestCoverageStates(t *testing.T) {
	count := map[CoverageState]int{}
	for _, c := range readFixture(t, "matrix").Cells {
		count[StateOf(c)]++
	}
	// 96 cells: 27 did not run (host kprobe and fentry, arm64 fentry,
	// kprobe exec and the crashed stream/connect); two stream cells lost
	// events, one missed three, one read invalid values.
	want := map[CoverageState]int{Complete: 65, Lost: 2, Unexplained: 1, Invalid: 1, NotMeasured: 27}
	if !reflect.DeepEqual(count, want) {
		t.Errorf("states %v, want %v", count, want)
	}
}
