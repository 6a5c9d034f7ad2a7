package reports

import (
	"strings"
	"testing"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

func TestBTFTable(t *testing.T) {
	r, err := results.ReadDir(testutil.Fixture(t, "matrix"))
	if err != nil {
		t.Fatal(err)
	}
	// A guest of a kernel without BTF, loaded with a minimized file.
	r.Targets = append(r.Targets, results.Target{Name: "nobtf:6.1/amd64", Host: results.Host{KernelRelease: "6.1.158", Arch: "amd64"}})
	r.Cells = append(r.Cells, results.Cell{Target: "nobtf:6.1/amd64", Backend: "ebpf/kprobe", Mode: "count", Event: event.Getppid, Status: results.OK,
		Facts: map[string]string{"btf_source": "generated from DWARF, minimized", "btf_size": "167", "btf_full_size": "2213456", "core_relocations": "4"}})
	var b strings.Builder
	BTFTable(&b, r)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := [][]string{
		{"TARGET", "KERNEL BTF", "BTF SOURCE", "SIZE", "CUT FROM", "LOADED", "CO-RE RELOCATIONS"},
		{"host", "yes", "kernel", "-", "-", "16 cells", "2–6"},
		{"debian:5.10/amd64", "no", "external:/var/cache/tracebench/btf/5.10.0-35-amd64.btf", "-", "-", "31 cells", "2–6"},
		{"debian:6.1/arm64", "yes", "kernel", "-", "-", "21 cells", "2–6"},
		{"nobtf:6.1/amd64", "no", "generated from DWARF, minimized", "167 B", "2.2 MB", "1 cells", "4"},
	}
	if len(lines) != len(want) {
		t.Fatalf("table:\n%s", b.String())
	}
	for i, cols := range want {
		fields := strings.Split(strings.Join(strings.Fields(lines[i]), " "), " ")
		joined := " " + strings.Join(fields, " ") + " "
		for _, c := range cols {
			if !strings.Contains(joined, " "+c+" ") {
				t.Errorf("line %d %q lacks %q", i, lines[i], c)
			}
		}
	}
	if got := targetLines(r, r.Targets[3], true); !strings.HasSuffix(got, "no kernel BTF; used: generated from DWARF, minimized 167 B of 2.2 MB") {
		t.Errorf("target label %q", got)
	}
}
