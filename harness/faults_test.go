package harness_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

// faultyPlugins builds internal/testplugin/faulty into a plugins directory.
func faultyPlugins(t *testing.T) string {
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "faulty"), "./internal/testplugin/faulty")
	cmd.Dir = testutil.ModuleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build faulty plugin: %v\n%s", err, out)
	}
	return dir
}

// A plugin that panics, hangs or exits fails its own cell with the reason;
// the state it declared is undone by the harness from the journal.
func TestFaultyPlugin(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	plugins := faultyPlugins(t)
	for _, c := range []struct{ fault, want string }{
		{"panic-attach", "died during attach (exit status 2)"},
		{"exit-attach", "died during attach (exit status 3)"},
		{"hang-attach", "hung: attach did not return"},
		{"panic-setup", "died during setup (exit status 2)"},
	} {
		t.Run(c.fault, func(t *testing.T) {
			cfg := config(t, event.Getppid)
			cfg.PluginsDir = plugins
			cfg.Backends = []string{"test/faulty"}
			cfg.Options = map[string]string{"fault": c.fault}
			cfg.CallTimeout = 3 * time.Second
			run, err := harness.Run(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Cells) != 1 {
				t.Fatalf("%d cells, want 1", len(run.Cells))
			}
			cell := run.Cells[0]
			if cell.Status != results.Failed || !strings.Contains(cell.Reason.Detail, c.want) {
				t.Errorf("cell %s: %+v, want failed with %q", cell.Status, cell.Reason, c.want)
			}
			left, _ := filepath.Glob(filepath.Join(os.TempDir(), "tracebench-faulty-*"))
			if len(left) > 0 {
				t.Errorf("state the plugin declared is still there: %v", left)
			}
		})
	}
}

// Plugins that others could have replaced are refused.
func TestWritablePluginRefused(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "evil")
	os.WriteFile(p, []byte("#!/bin/sh\n"), 0o777)
	os.Chmod(p, 0o777)
	_, err := harness.PluginExecutables(dir)
	if err == nil || !strings.Contains(err.Error(), "writable by group or others") {
		t.Errorf("got %v, want a refusal", err)
	}
}

// TestPluginsUnavailable: where external plugins cannot run (a guest of
// another architecture), a backend that is not built in is missing-tool
// with the reason, and a built-in one is still measured.
func TestPluginsUnavailable(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	cfg := config(t, event.Getppid)
	cfg.Backends = []string{"bcc/tracepoint", "ebpf/tracepoint"}
	cfg.CoverageOnly = true
	cfg.PluginsUnavailable = "external plugins run only in amd64 guests"
	run, err := harness.Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != 2 {
		t.Fatalf("%d cells, want 2", len(run.Cells))
	}
	for _, c := range run.Cells {
		switch c.Backend {
		case "bcc/tracepoint":
			if c.Status != results.Unsupported || c.Reason.Class != string(backends.MissingTool) || c.Reason.Detail != "bcc/tracepoint is not built in, and external plugins run only in amd64 guests" {
				t.Errorf("%s: %s %+v, want missing-tool with the reason", c.Backend, c.Status, c.Reason)
			}
		case "ebpf/tracepoint":
			if c.Status != results.OK {
				t.Errorf("%s: %s %+v, want ok", c.Backend, c.Status, c.Reason)
			}
		}
	}
}
