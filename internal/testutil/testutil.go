// Package testutil holds what tests across packages share: the tracebench
// binary built once per test process (tests run real plugins and workload
// agents, which are that binary re-executed), and checks that a test left
// no kernel state behind.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// Binary returns the path of a tracebench binary built from this module,
// statically (as a guest's /init must be).
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tracebench-test-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "tracebench")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/tracebench")
		cmd.Dir = ModuleRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build tracebench: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// ModuleRoot returns the directory holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// RequireRoot skips t when not running as root: these tests load eBPF
// programs, write tracefs and create cgroups.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (eBPF, tracefs, cgroups)")
	}
}

// State lists kernel state tracebench may change: tracefs instances,
// enabled events, kprobe events, our cgroups, and kernel filesystem mounts.
func State() []string {
	var out []string
	for _, root := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
		if ents, err := os.ReadDir(filepath.Join(root, "instances")); err == nil {
			for _, e := range ents {
				out = append(out, "tracefs instance "+e.Name())
			}
		}
		if b, err := os.ReadFile(filepath.Join(root, "set_event")); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			out = append(out, "enabled events: "+strings.TrimSpace(string(b)))
		}
		if b, err := os.ReadFile(filepath.Join(root, "kprobe_events")); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			out = append(out, "kprobe events: "+strings.TrimSpace(string(b)))
		}
	}
	for _, root := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/run/tracebench/cgroup2"} {
		if m, _ := filepath.Glob(filepath.Join(root, "tracebench-*")); len(m) > 0 {
			out = append(out, "cgroups: "+strings.Join(m, " "))
		}
	}
	if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			for i, x := range f {
				if x == "-" && i+1 < len(f) && (f[i+1] == "tracefs" || f[i+1] == "cgroup2" || f[i+1] == "debugfs") {
					out = append(out, "mount "+f[i+1]+" on "+f[4])
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Clean records the kernel state now and fails t if, when t ends, it
// differs: every test that changes kernel state calls it first.
func Clean(t testing.TB) {
	t.Helper()
	before := State()
	t.Cleanup(func() {
		after := State()
		if !slices.Equal(before, after) {
			t.Errorf("kernel state changed by the test:\nbefore: %q\nafter:  %q", before, after)
		}
	})
}
