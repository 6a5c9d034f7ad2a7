package results

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleVerifierRun() *VerifierRun {
	start := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	return &VerifierRun{
		Tracebench: "test", Started: start, Finished: start.Add(7 * time.Minute), Elapsed: 7 * time.Minute,
		Targets: []VerifierTarget{
			{Name: "debian:6.1/amd64", KernelRelease: "6.1.0-56-amd64", Arch: "amd64", BTF: true, Emulated: true, Elapsed: time.Minute},
			{Name: "host", KernelRelease: "6.18.44", Arch: "amd64", BTF: true, Elapsed: time.Second},
		},
		Builds: []Build{{ID: "clang-16/O2/amd64", Compiler: "clang-16", CompilerVersion: "Debian clang version 16.0.6", Opt: "-O2", Arch: "amd64", CFlags: []string{"-g"}}},
		Objects: []VerifierObject{
			{Name: "pairs", Build: "clang-16/O2/amd64", Source: "bpf/fixtures/pairs.c", Role: "fixture", SHA256: "ab"},
			{Name: "fentry", Build: "clang-16/O2/amd64", Source: "bpf/fentry.c", Role: "program", SHA256: "cd"},
		},
		Cells: []VerifierCell{
			{Target: "debian:6.1/amd64", Build: "clang-16/O2/amd64", Object: "pairs", Program: "pairs", Type: "TracePoint",
				Status: VerdictRefused, Class: "memory-access", Detail: "R6 max value is outside of the allowed memory range",
				Log:   []string{"invalid access to map value, value_size=80 off=80 size=1", "R6 max value is outside of the allowed memory range"},
				Insns: 25, VerifiedInsns: 40, InsnsSource: "log", Load: time.Millisecond},
			{Target: "host", Build: "clang-16/O2/amd64", Object: "pairs", Program: "pairs", Status: VerdictAccepted, Insns: 25, VerifiedInsns: 366, InsnsSource: "prog_info"},
			{Target: "host", Build: "clang-16/O2/amd64", Object: "fentry", Program: "fentry_exec", AttachTo: "bprm_execve",
				Status: VerdictUnsupported, Class: "permission", Detail: "load program: operation not permitted"},
		},
	}
}

func TestVerifierRoundTrip(t *testing.T) {
	dir := t.TempDir()
	r := sampleVerifierRun()
	if err := WriteVerifier(dir, r); err != nil {
		t.Fatal(err)
	}
	got, err := ReadVerifier(filepath.Join(dir, VerifierFile))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
	}
}

func TestVerifierBadFiles(t *testing.T) {
	dir := t.TempDir()
	if err := WriteVerifier(dir, sampleVerifierRun()); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, VerifierFile))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, content, want string }{
		{"truncated", string(good[:len(good)/2]), "truncated"},
		{"version", strings.Replace(string(good), `"schema_version": 1`, `"schema_version": 3`, 1), "schema_version 3"},
		{"results.json", `{"schema_version": 1, "run_id": "x"}`, `unknown field "run_id"`},
		{"unknown target", strings.Replace(string(good), `"target": "host"`, `"target": "hots"`, 1), `unknown target "hots"`},
		{"unknown object", strings.Replace(string(good), `"object": "fentry"`, `"object": "fentri"`, 1), `unknown object "fentri"`},
		{"status", strings.Replace(string(good), `"status": "accepted"`, `"status": "fine"`, 1), `status "fine"`},
		{"no class", strings.Replace(string(good), `"class": "permission",`, ``, 1), "unsupported without a class"},
		{"role", strings.Replace(string(good), `"role": "fixture"`, `"role": "demo"`, 1), `role "demo"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), VerifierFile)
			if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadVerifier(p)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file and %q", err, c.want)
			}
		})
	}
	if _, err := DecodeVerifier([]byte(`{"schema_version": 2}`)); !errors.Is(err, ErrVersion) {
		t.Errorf("version error not typed: %v", err)
	}
}
