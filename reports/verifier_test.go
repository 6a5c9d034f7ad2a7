package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

// A run directory holding verifier.json gets the verifier matrix in both
// report files, with the refused cell's class and the verifier's words.
func TestReportIncludesVerifierMatrix(t *testing.T) {
	dir := testutil.CopyFixture(t, "host")
	start := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	v := &results.VerifierRun{
		Tracebench: "test", Started: start, Finished: start.Add(time.Minute), Elapsed: time.Minute,
		Targets: []results.VerifierTarget{{Name: "debian:5.10/amd64", KernelRelease: "5.10.0-46-amd64", Arch: "amd64", BTF: true, Emulated: true}},
		Builds:  []results.Build{{ID: "clang-16/O2/amd64", Compiler: "clang-16", Opt: "-O2", Arch: "amd64"}},
		Objects: []results.VerifierObject{{Name: "pairs", Build: "clang-16/O2/amd64", Source: "bpf/fixtures/pairs.c", Role: results.RoleFixture, SHA256: "ab"}},
		Cells: []results.VerifierCell{{
			Target: "debian:5.10/amd64", Build: "clang-16/O2/amd64", Object: "pairs", Program: "pairs", Type: "TracePoint",
			Status: results.VerdictRefused, Class: "memory-access", Detail: "R6 max value is outside of the allowed memory range",
			Log: []string{"R6 max value is outside of the allowed memory range"}, Insns: 25, VerifiedInsns: 40, InsnsSource: "log",
		}},
	}
	if err := results.WriteVerifier(dir, v); err != nil {
		t.Fatal(err)
	}
	run, err := results.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Write(dir, run)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{files.HTML, files.Markdown} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Verifier matrix", "pairs", "memory-access", "R6 max value is outside"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s lacks %q", filepath.Base(p), want)
			}
		}
	}
}
