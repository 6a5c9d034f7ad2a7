package tracefs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Leftovers finds a live instance of ours, and stops listing it once
// removed.
func TestLeftoversLiveInstance(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	want := Leftover{Kind: LeftoverInstance, Path: in.Path(), Name: in.Name(), Ours: true}
	if got := leftovers(t, fs); !slices.Contains(got, want) {
		t.Errorf("leftovers %v do not list %v", got, want)
	}
	if err := in.Remove(); err != nil {
		t.Fatal(err)
	}
	if got := leftovers(t, fs); slices.Contains(got, want) {
		t.Errorf("leftovers %v still list %v", got, want)
	}
}

// The global buffer is never written by the tests, so what Leftovers makes
// of enabled global events and of others' probes is checked on a copy of
// the files involved, in the kernel's formats.
func TestLeftoversFiles(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"instances/tracebench-old", "instances/perf-tool"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{
		"kprobe_events": "p:kprobes/other do_sys_openat2\nr:tracebench/openat_ret do_sys_openat2\n",
		"uprobe_events": "p:tracebench/target /tmp/x:0x0000000000001000\n",
		"set_event":     "sched:sched_switch\ntracebench:openat_ret\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fs := &FS{root: root}
	got, err := fs.Leftovers()
	if err != nil {
		t.Fatal(err)
	}
	want := []Leftover{
		{Kind: LeftoverInstance, Path: filepath.Join(root, "instances/tracebench-old"), Name: "tracebench-old", Ours: true},
		{Kind: LeftoverProbe, Path: filepath.Join(root, "kprobe_events"), Name: "tracebench/openat_ret", Ours: true},
		{Kind: LeftoverProbe, Path: filepath.Join(root, "uprobe_events"), Name: "tracebench/target", Ours: true},
		{Kind: LeftoverGlobalEvent, Path: filepath.Join(root, "set_event"), Name: "sched/sched_switch", Ours: false},
		{Kind: LeftoverGlobalEvent, Path: filepath.Join(root, "set_event"), Name: "tracebench/openat_ret", Ours: true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("leftovers\n got %v\nwant %v", got, want)
	}
}
