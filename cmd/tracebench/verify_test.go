package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests/qemu"
)

// verify runs `tracebench verify ARGS` and returns its output (standard
// output, then standard error) and exit status.
func verify(t *testing.T, args ...string) (string, int) {
	t.Helper()
	stdout, stderr, status := verifyStreams(t, args...)
	return stdout + stderr, status
}

func verifyStreams(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(testutil.Binary(t), append([]string{"verify"}, args...)...)
	cmd.Env = append(os.Environ(), "TRACEBENCH_CACHE="+cacheDir(t))
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

// cacheDir is the user's cache (kernels are there), so that builds are
// shared with `make verifier-objects`.
func cacheDir(t *testing.T) string {
	if d := os.Getenv("TRACEBENCH_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(d, "tracebench")
}

// A file that is no eBPF object, one cut short, one for another
// architecture: each named with its class, and a non-zero exit.
func TestVerifyBadObjects(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.ModuleRoot(t)
	dir := t.TempDir()
	obj, err := os.ReadFile(filepath.Join(root, "bpf", "tracepoint_x86_bpfel.o"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		path string
		want []string
	}{
		{write("notes.o", []byte("not an object\n")), []string{"not-bpf", "not an eBPF object: not an ELF file"}},
		{write("cut_x86_bpfel.o", obj[:len(obj)/3]), []string{"truncated", "truncated object file"}},
		{testutil.Binary(t), []string{"not-bpf", "ELF for X86_64 (compile with clang -target bpf)"}},
		{filepath.Join(root, "bpf", "tracepoint_arm64_bpfel.o"), []string{"wrong-arch", "built for arm64, and no selected target is arm64"}},
	} {
		out, status := verify(t, "--target", "host", c.path)
		if status == 0 {
			t.Errorf("%s: exit 0, want failure", c.path)
		}
		for _, w := range append(c.want, c.path) {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", c.path, w, out)
			}
		}
	}
	if out, status := verify(t, "--target", "host", filepath.Join(dir, "absent.o")); status == 0 || !strings.Contains(out, "no such file") {
		t.Errorf("missing file: exit %d, %s", status, out)
	}
	if out, status := verify(t, "--target", "host"); status == 0 || !strings.Contains(out, "nothing to verify") {
		t.Errorf("no arguments: exit %d, %s", status, out)
	}
}

// verify gates a pipeline: the window fixture built by clang 14 at -O1 is
// accepted (exit 0), at -O2 refused (exit 1) with the class and the
// verifier's words; --out writes a valid verifier.json and the text table.
func TestVerifyGate(t *testing.T) {
	testutil.RequireRoot(t)
	if _, err := exec.LookPath("clang-14"); err != nil {
		t.Skip("needs clang-14 (Debian: apt-get install clang-14)")
	}
	src := filepath.Join(testutil.ModuleRoot(t), "bpf", "fixtures", "window.c")
	out, status := verify(t, "--target", "host", "--clang", "14", "--opt", "-O1", src)
	if status != 0 || !strings.Contains(out, "window") || !strings.Contains(out, "ok ") {
		t.Errorf("-O1: exit %d, want 0:\n%s", status, out)
	}
	dir := t.TempDir()
	out, status = verify(t, "--target", "host", "--clang", "14", "--opt", "-O2", "--out", dir, src)
	for _, w := range []string{"REFUSED memory-access", "max value is outside of the allowed memory range", "FAIL host: window/window (clang-14/O2/amd64) refused: memory-access"} {
		if !strings.Contains(out, w) {
			t.Errorf("-O2: output lacks %q:\n%s", w, out)
		}
	}
	if status != 1 {
		t.Errorf("-O2: exit %d, want 1", status)
	}
	r, err := results.ReadVerifier(filepath.Join(dir, results.VerifierFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cells) != 1 || r.Cells[0].Status != results.VerdictRefused || r.Cells[0].Class != "memory-access" || len(r.Cells[0].Log) == 0 {
		t.Errorf("verifier.json cells: %+v", r.Cells)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "verifier.txt")); err != nil || !strings.Contains(string(b), "REFUSED memory-access") {
		t.Errorf("verifier.txt: %v %q", err, b)
	}
}

// Prebuilt objects (tracebench's committed bpf2go objects) with the
// constants the loader sets, as JSON.
func TestVerifyPrebuiltJSON(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.ModuleRoot(t)
	out, stderr, status := verifyStreams(t, "--target", "host", "--json", "--set", "stream_mode=1", "--set", "enabled_events=0x1e",
		filepath.Join(root, "bpf", "tracepoint_x86_bpfel.o"), filepath.Join(root, "bpf", "rawtp_x86_bpfel.o"))
	if status != 0 {
		t.Fatalf("exit %d:\n%s%s", status, out, stderr)
	}
	var r results.VerifierRun
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if r.SchemaVersion != results.VerifierSchemaVersion || len(r.Builds) != 1 || r.Builds[0].ID != "prebuilt/amd64" {
		t.Errorf("schema %d builds %+v", r.SchemaVersion, r.Builds)
	}
	if len(r.Cells) != 6 { // tracepoint: 4 programs, rawtp: 2
		t.Errorf("%d cells, want 6", len(r.Cells))
	}
	for _, c := range r.Cells {
		if c.Status != results.VerdictAccepted || c.VerifiedInsns < 30 || c.InsnsSource != "prog_info" {
			t.Errorf("%s/%s: %s, %d verified instructions (%s)", c.Object, c.Program, c.Status, c.VerifiedInsns, c.InsnsSource)
		}
	}
	if out, status := verify(t, "--target", "host", "--set", "no_such_constant=1", filepath.Join(root, "bpf", "tracepoint_x86_bpfel.o")); status == 0 ||
		!strings.Contains(out, "variable no_such_constant: not in the object") {
		t.Errorf("unknown constant: exit %d:\n%s", status, out)
	}
}

// The same gate in a guest: pairs (a bounded copy the verifier of 5.10
// cannot follow) built by clang 14 is refused on Debian's 5.10 and accepted
// on the host, and the command fails.
func TestVerifyGuestGate(t *testing.T) {
	if testing.Short() {
		t.Skip("boots a qemu guest")
	}
	testutil.RequireRoot(t)
	if _, err := exec.LookPath("clang-14"); err != nil {
		t.Skip("needs clang-14 (Debian: apt-get install clang-14)")
	}
	src := filepath.Join(testutil.ModuleRoot(t), "bpf", "fixtures", "pairs.c")
	dir := t.TempDir()
	out, status := verify(t, "--target", "debian:5.10/amd64,host", "--clang", "14", "--opt", "-O2", "--out", dir, src)
	if status != 1 {
		t.Errorf("exit %d, want 1:\n%s", status, out)
	}
	r, err := results.ReadVerifier(filepath.Join(dir, results.VerifierFile))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range r.Cells {
		got[c.Target] = string(c.Status) + " " + c.Class
	}
	want := map[string]string{"debian:5.10/amd64": "refused memory-access", "host": "accepted "}
	if len(got) != 2 || got["debian:5.10/amd64"] != want["debian:5.10/amd64"] || got["host"] != want["host"] {
		t.Errorf("verdicts %v, want %v\n%s", got, want, out)
	}
	for _, tg := range r.Targets {
		if tg.Name == "debian:5.10/amd64" && (!strings.HasPrefix(tg.KernelRelease, "5.10.") || tg.Emulated == qemu.KVMUsable()) {
			t.Errorf("guest target %+v", tg)
		}
	}
}
