package results

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/event"
)

func sampleRun() *Run {
	return &Run{
		RunID:      "20261125-120000",
		Tracebench: "test",
		Started:    time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		Config:     Config{CellBudget: time.Minute, WorkloadCPU: 1},
		Targets:    []Target{{Name: "host", Host: Host{KernelRelease: "6.18.0", Arch: "amd64", CPUs: 2, BTF: true}}},
		Cells: []Cell{
			{
				Target: "host", Backend: "ebpf/tracepoint", Mode: "count", Event: event.Getppid, Status: OK,
				ProbePoint: "syscalls:sys_enter_getppid",
				Overhead:   &Effect{BaselineNs: 140, AddedNs: 150, CILowNs: 148, CIHighNs: 152, PValue: 1e-9, Resolved: true, Ratio: 2.07, RatioCILow: 2.05, RatioCIHigh: 2.09, NOn: 100, NOff: 100},
				Coverage:   &Coverage{Produced: 1000, Seen: 1000},
				Samples:    &Samples{Off: []float64{140, 141}, On: []float64{290, 291}},
				AttachNs:   300000,
			},
			{Target: "host", Backend: "ebpf/kprobe", Mode: "count", Event: event.Openat, Status: Unsupported, Reason: &Reason{Class: "missing-config", Detail: "no kprobes"}},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := sampleRun()
	if err := Write(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the run:\ngot  %+v\nwant %+v", got, want)
	}
	if err := WriteBench(dir, want); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"BenchmarkEvent/target=host/backend=ebpf:tracepoint/mode=count/event=getppid/state=off \t1\t140.00 ns/op",
		"BenchmarkEvent/target=host/backend=ebpf:tracepoint/mode=count/event=getppid/state=on \t1\t291.00 ns/op",
	} {
		if !strings.Contains(string(b), line) {
			t.Errorf("bench.txt lacks %q:\n%s", line, b)
		}
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sampleRun()); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, content, want string
	}{
		{"truncated", string(good[:len(good)/2]), "truncated"},
		{"version", strings.Replace(string(good), `"schema_version": 1`, `"schema_version": 7`, 1), "schema_version 7"},
		{"not results", `{"hello": 1}`, "no schema_version"},
		{"unknown field", strings.Replace(string(good), `"run_id"`, `"run_idx"`, 1), `unknown field "run_idx"`},
		{"bad event", strings.Replace(string(good), `"event": "openat"`, `"event": "open"`, 1), `unknown event "open"`},
		{"bad status", strings.Replace(string(good), `"status": "unsupported"`, `"status": "maybe"`, 1), `status "maybe"`},
		{"syntax", strings.Replace(string(good), `"cells": [`, `"cells": [,`, 1), "line "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), File)
			if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(p)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file and %q", err, c.want)
			}
		})
	}
	_, err = Read(filepath.Join(dir, "missing.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestVersionErrorIsTyped(t *testing.T) {
	_, err := Decode([]byte(`{"schema_version": 2}`))
	if !errors.Is(err, ErrVersion) {
		t.Errorf("got %v, want ErrVersion", err)
	}
}

// A write that fails midway leaves the previous file intact.
func TestAtomicWriteKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sampleRun()); err != nil {
		t.Fatal(err)
	}
	bad := sampleRun()
	bad.Cells[0].Overhead.AddedNs = inf() // JSON cannot encode it: the write fails before replacing
	if err := Write(dir, bad); err == nil {
		t.Fatal("encoding +Inf succeeded")
	}
	if _, err := ReadDir(dir); err != nil {
		t.Errorf("previous results lost: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func inf() float64 { var z float64; return 1 / z }

// The checked-in fixtures (testdata/*/results.json) are valid results
// files: report and compare tests build on them.
func TestFixtures(t *testing.T) {
	for name, want := range map[string]struct{ targets, cells int }{"host": {1, 32}, "matrix": {3, 96}} {
		r, err := ReadDir(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Targets) != want.targets || len(r.Cells) != want.cells {
			t.Errorf("%s: %d targets, %d cells; want %d, %d", name, len(r.Targets), len(r.Cells), want.targets, want.cells)
		}
	}
}
