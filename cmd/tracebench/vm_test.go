package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/vmtests"
)

// run executes a tracebench command line and returns its output and status.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	status := 0
	if err != nil {
		out.WriteString(err.Error())
		status = 1
	}
	return out.String(), status
}

func TestVMList(t *testing.T) {
	out, status := run(t, "vm", "list")
	if status != 0 {
		t.Fatal(out)
	}
	for _, name := range vmtests.DefaultMatrix().Names() {
		if !strings.Contains(out, name+" ") {
			t.Errorf("vm list lacks %s:\n%s", name, out)
		}
	}
}

func TestVMBadInput(t *testing.T) {
	if out, status := run(t, "vm", "fetch", "debian:4.19/amd64"); status == 0 || !strings.Contains(out, `unknown target "debian:4.19/amd64"`) {
		t.Errorf("unknown target: status %d, %s", status, out)
	}
	matrix := filepath.Join(t.TempDir(), "m.toml")
	os.WriteFile(matrix, []byte("[target.x]\nhost = true\ncolour = \"red\"\n"), 0o644)
	if out, status := run(t, "vm", "list", "--matrix", matrix); status == 0 || !strings.Contains(out, matrix+`: target "x": invalid kernel matrix: unknown field "colour"`) {
		t.Errorf("unknown field: status %d, %s", status, out)
	}
}

// TestVMFetchTwice fetches one kernel twice: the second time from the cache.
func TestVMFetchTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches a kernel; skipped with -short")
	}
	var kernels []vmtests.Kernel
	for i := 0; i < 2; i++ {
		out, status := run(t, "vm", "fetch", "--json", "debian:6.1/arm64")
		if status != 0 {
			t.Fatal(out)
		}
		if err := json.Unmarshal([]byte(out), &kernels); err != nil || len(kernels) != 1 {
			t.Fatalf("fetch output %q: %v", out, err)
		}
	}
	if k := kernels[0]; k.Target != "debian:6.1/arm64" || !strings.HasSuffix(k.Release, "-arm64") || k.Image == "" {
		t.Errorf("fetched %+v", k)
	}
	out, _ := run(t, "vm", "fetch", "debian:6.1/arm64")
	if !strings.Contains(out, " cached ") {
		t.Errorf("second fetch not from the cache:\n%s", out)
	}
}
