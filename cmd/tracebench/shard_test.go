package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/plan"
	"github.com/tracebench/tracebench/results"
)

// tb runs the tracebench binary and returns its combined output; it fails
// t when the exit status is not the one expected.
func tb(t *testing.T, wantOK bool, args ...string) string {
	t.Helper()
	out, err := exec.Command(testutil.Binary(t), args...).CombinedOutput()
	if (err == nil) != wantOK {
		t.Fatalf("tracebench %s: %v (want success %v)\n%s", strings.Join(args, " "), err, wantOK, out)
	}
	return string(out)
}

func planOf(t *testing.T, sel []string, shards string) plan.Matrix {
	t.Helper()
	out, err := exec.Command(testutil.Binary(t), append([]string{"plan", "--quiet", "--shards", shards}, sel...)...).Output()
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var m plan.Matrix
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("plan output %s: %v", out, err)
	}
	return m
}

func mustReadRun(t *testing.T, dir string) *results.Run {
	t.Helper()
	r, err := results.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// exactCoverage is what a cell's outcome is compared on: not its timings
// (the workload's size follows the measured speed), but its status, reason
// class, probe point and whether it saw every event exactly.
func outcome(c results.Cell) string {
	s := string(c.Status) + " " + c.ProbePoint
	if c.Reason != nil {
		s += " " + c.Reason.Class
	}
	if cov := c.Coverage; cov != nil {
		exact := cov.Produced >= 100 && cov.Seen == cov.Produced && cov.Lost == 0 && cov.Unexplained == 0 && cov.Invalid == 0
		s += " exact=" + map[bool]string{true: "yes", false: "no"}[exact]
	}
	return s
}

func outcomes(r *results.Run) map[results.Key]string {
	out := map[results.Key]string{}
	for _, c := range r.Cells {
		out[c.Key()] = outcome(c)
	}
	return out
}

// Shards 1/3, 2/3 and 3/3 of a run on this machine, merged, give the cells,
// statuses and exact coverage of the same run unsharded; the merged
// directory reports, converts to JUnit, and merge refuses what cannot be
// one run. Count mode and the portability mode (--coverage-only): there a
// cell's outcome does not hang on timing, which this busy machine makes
// noisy (a stream's ring buffer loses events under load; an overhead
// measurement may not resolve).
func TestShardedRun(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	host, _ := os.Hostname()
	dir := t.TempDir()
	sel := []string{"--target", "host", "--backend", "ebpf/tracepoint,ebpf/rawtp,ebpf/tp_btf", "--event", "getppid,openat", "--mode", "count", "--coverage-only", "--budget", "1s", "--guest-budget", "1s"}
	runArgs := func(out string, extra ...string) []string {
		return append(append(append([]string{"run"}, sel...), "--out", filepath.Join(dir, out)), extra...)
	}
	tb(t, true, runArgs("whole")...)
	whole := mustReadRun(t, filepath.Join(dir, "whole"))

	m := planOf(t, sel, "3")
	if len(m.Include) != 3 {
		t.Fatalf("%d shards planned", len(m.Include))
	}
	id := m.Include[0].Plan
	out := tb(t, false, runArgs("refused", "--shard", "1/3", "--plan-id", "0123456789ab")...)
	if !strings.Contains(out, "the plan of this selection is "+id) {
		t.Errorf("a shard with another plan ID: %s", out)
	}
	var shardDirs []string
	total := 0
	for _, e := range m.Include {
		name := "shard-" + itoa(e.Index)
		tb(t, true, runArgs(name, "--shard", e.Shard, "--plan-id", id)...)
		shardDirs = append(shardDirs, filepath.Join(dir, name))
		r := mustReadRun(t, filepath.Join(dir, name))
		if len(r.Cells) != e.Cells || r.Config.Plan.Shard != e.Index || r.Config.Plan.ID != id {
			t.Errorf("shard %s: %d cells (planned %d), plan %+v", e.Shard, len(r.Cells), e.Cells, r.Config.Plan)
		}
		total += len(r.Cells)
	}
	if total != 6 {
		t.Errorf("the shards measured %d cells, want the 6 of the selection", total)
	}

	merged := filepath.Join(dir, "merged")
	tb(t, true, append([]string{"merge", merged}, shardDirs...)...)
	mr := mustReadRun(t, merged)
	if got, want := outcomes(mr), outcomes(whole); !mapsEqual(got, want) {
		t.Errorf("merged shards differ from the unsharded run:\nmerged %v\nwhole  %v", got, want)
	}
	for _, c := range mr.Cells {
		if !strings.Contains(outcome(c), "exact=yes") || c.Machine != host {
			t.Errorf("merged cell %v: %s on %q", c.Key(), outcome(c), c.Machine)
		}
	}
	if p := mr.Config.Plan; !slices.Equal(p.Merged, []int{1, 2, 3}) || len(results.Missing(mr)) != 0 || mr.Finished.IsZero() {
		t.Errorf("merged plan %v, missing %v, finished %v", p.Merged, results.Missing(mr), mr.Finished)
	}
	if len(mr.Targets) != 1 || mr.Targets[0].Host.Machine != host || mr.Targets[0].Machines != nil {
		t.Errorf("merged targets %+v: one machine, this one", mr.Targets)
	}
	if b, err := os.ReadFile(filepath.Join(merged, results.BenchFile)); err != nil || !strings.HasPrefix(string(b), "pkg: tracebench\nrun: "+mr.RunID) {
		t.Errorf("merged bench.txt: %v %.40q", err, b)
	}
	if out := tb(t, true, "report", merged); !strings.Contains(out, "target host: Linux") || !strings.Contains(out, "on "+host) {
		t.Errorf("report of the merged run:\n%s", out)
	}
	checkJUnit(t, merged, 6, 0)

	// What merge refuses, with the directories named.
	out = tb(t, false, "merge", filepath.Join(dir, "dup"), shardDirs[0], shardDirs[1], shardDirs[2], shardDirs[0])
	if !strings.Contains(out, "duplicate results") || !strings.Contains(out, "in both "+shardDirs[0]+" and "+shardDirs[0]) {
		t.Errorf("merge of a shard given twice: %s", out)
	}
	tb(t, true, runArgs("shard-2-again", "--shard", "2/3")...)
	out = tb(t, false, "merge", filepath.Join(dir, "conflict"), shardDirs[0], shardDirs[1], filepath.Join(dir, "shard-2-again"), shardDirs[2])
	if !strings.Contains(out, "conflicting results") || !strings.Contains(out, "measured twice") || !strings.Contains(out, "shard-2-again has ok") {
		t.Errorf("merge of a shard measured twice: %s", out)
	}
	v2 := filepath.Join(dir, "v2")
	os.Mkdir(v2, 0o755)
	b, _ := os.ReadFile(filepath.Join(shardDirs[2], results.File))
	os.WriteFile(filepath.Join(v2, results.File), []byte(strings.Replace(string(b), `"schema_version": 1`, `"schema_version": 2`, 1)), 0o644)
	out = tb(t, false, "merge", filepath.Join(dir, "mixed"), shardDirs[0], shardDirs[1], v2)
	if !strings.Contains(out, filepath.Join(v2, results.File)) || !strings.Contains(out, "schema_version 2") {
		t.Errorf("merge with another schema version: %s", out)
	}
	out = tb(t, false, "merge", merged, shardDirs[0])
	if !strings.Contains(out, "already holds results") {
		t.Errorf("merge over earlier results: %s", out)
	}
	for _, d := range []string{"dup", "conflict", "mixed"} {
		if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
			t.Errorf("refused merge %s wrote a directory", d)
		}
	}

	// A shard missing: merged all the same, its cells listed, exit 1.
	partial := filepath.Join(dir, "partial")
	out = tb(t, false, "merge", partial, shardDirs[0], shardDirs[2])
	lacking := m.Include[1].Cells
	if !strings.Contains(out, "missing: shard 2/3 reported nothing ("+itoa(lacking)+" cells)") || !strings.Contains(out, itoa(lacking)+" planned cells are missing") {
		t.Errorf("merge without shard 2: %s", out)
	}
	if pr := mustReadRun(t, partial); len(results.Missing(pr)) != lacking || !pr.Finished.IsZero() {
		t.Errorf("partial merge: %d missing, finished %v", len(results.Missing(pr)), pr.Finished)
	}
	checkJUnit(t, partial, 6, lacking)
	// Adding the missing shard to the partial merge completes it.
	tb(t, true, "merge", partial, partial, shardDirs[1])
	if pr := mustReadRun(t, partial); len(pr.Cells) != 6 || pr.Finished.IsZero() {
		t.Errorf("completed merge: %d cells, finished %v", len(pr.Cells), pr.Finished)
	}
}

// checkJUnit converts dir to JUnit and checks its counts against the
// results: one test per planned cell, errors for missing ones.
func checkJUnit(t *testing.T, dir string, tests, missing int) {
	t.Helper()
	out, err := exec.Command(testutil.Binary(t), "junit", dir).Output()
	if err != nil {
		t.Fatalf("junit %s: %v", dir, err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Skipped  int `xml:"skipped,attr"`
		Cases    []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("junit output does not parse: %v\n%s", err, out)
	}
	r := mustReadRun(t, dir)
	failures, skipped := 0, 0
	for _, c := range r.Cells {
		switch o := outcome(c); {
		case c.Status == results.Unsupported:
			skipped++
		case c.Status == results.Failed || !strings.Contains(o, "exact=yes"):
			failures++
		}
	}
	if doc.Tests != tests || len(doc.Cases) != tests || doc.Errors != missing || doc.Failures != failures || doc.Skipped != skipped {
		t.Errorf("junit %s: %d tests (%d cases), %d failures, %d errors, %d skipped; want %d, %d, %d, %d",
			dir, doc.Tests, len(doc.Cases), doc.Failures, doc.Errors, doc.Skipped, tests, failures, missing, skipped)
	}
}

func mapsEqual(a, b map[results.Key]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// The plan is the same in every process: GOMAXPROCS, map iteration order
// (new in each process) and the time do not change it.
func TestPlanSameInEveryProcess(t *testing.T) {
	var first []byte
	for _, procs := range []string{"1", "2", "5"} {
		cmd := exec.Command(testutil.Binary(t), "plan", "--quiet", "--target", "all", "--backend", "all", "--event", "all", "--shards", "4")
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = out
		} else if string(out) != string(first) {
			t.Fatalf("GOMAXPROCS=%s planned\n%s\nanother process\n%s", procs, out, first)
		}
	}
}

// A guest split across two shards boots in each with only that shard's
// cells (the plan travels in the guest's request), from the kernel cache
// alone (--offline), and the merge joins the two halves into one target.
func TestShardedGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("boots qemu guests")
	}
	testutil.RequireRoot(t)
	testutil.Clean(t)
	const target = "debian:6.1/amd64"
	tb(t, true, "vm", "fetch", target) // once, as the kernels job does; the shards run offline
	sel := []string{"--target", target, "--backend", "ebpf/tracepoint,ebpf/rawtp", "--event", "getppid", "--mode", "count", "--coverage-only", "--guest-budget", "1s"}
	m := planOf(t, sel, "2")
	if m.Include[0].Cells != 1 || m.Include[1].Cells != 1 || m.Include[0].Boots != 1 || m.Include[1].Boots != 1 {
		t.Fatalf("plan %+v: want the guest halved, one boot and one cell per shard", m.Include)
	}
	dir := t.TempDir()
	var dirs []string
	backends := map[string]bool{}
	for _, e := range m.Include {
		d := filepath.Join(dir, "shard-"+itoa(e.Index))
		dirs = append(dirs, d)
		tb(t, true, append(append([]string{"run"}, sel...), "--offline", "--shard", e.Shard, "--plan-id", e.Plan, "--out", d)...)
		r := mustReadRun(t, d)
		if len(r.Cells) != 1 || len(r.Targets) != 1 || r.Targets[0].Name != target || r.Targets[0].Host.KernelRelease == "" {
			t.Fatalf("shard %s: cells %+v, targets %+v", e.Shard, r.Cells, r.Targets)
		}
		c := r.Cells[0]
		if c.Status != results.OK || !strings.Contains(outcome(c), "exact=yes") {
			t.Errorf("shard %s: %s in the guest: %s (%+v)", e.Shard, c.Backend, outcome(c), c.Reason)
		}
		backends[c.Backend] = true
	}
	if len(backends) != 2 {
		t.Errorf("the shards measured %v: want each backend once", backends)
	}
	merged := filepath.Join(dir, "merged")
	tb(t, true, append([]string{"merge", merged}, dirs...)...)
	mr := mustReadRun(t, merged)
	host, _ := os.Hostname()
	if len(mr.Cells) != 2 || len(mr.Targets) != 1 || mr.Targets[0].Host.Machine != host {
		t.Errorf("merged guest halves: %d cells, targets %+v", len(mr.Cells), mr.Targets)
	}
}
