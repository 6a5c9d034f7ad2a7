package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/reports"
	"github.com/tracebench/tracebench/results"
)

func TestReportCommand(t *testing.T) {
	dir := testutil.CopyFixture(t, "matrix")
	out, err := exec.Command(testutil.Binary(t), "report", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if want := "report: " + filepath.Join(dir, reports.HTMLFile); lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q (make bench ends with it)", lines[len(lines)-1], want)
	}
	for _, f := range []string{reports.HTMLFile, reports.MarkdownFile, results.BenchFile, "charts/overhead.png", "charts/kernels.png"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// comparison runs tracebench compare --json and decodes its output.
func comparison(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, err := exec.Command(testutil.Binary(t), append([]string{"compare", "--json"}, args...)...).Output()
	if err != nil {
		t.Fatalf("compare %v: %v", args, err)
	}
	var c map[string]any
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("compare --json: %v\n%s", err, out)
	}
	return c
}

func TestCompareIdentical(t *testing.T) {
	host := testutil.Fixture(t, "host")
	c := comparison(t, host, filepath.Join(host, results.File))
	n := 0
	for _, x := range c["cells"].([]any) {
		cell := x.(map[string]any)
		added, ok := cell["added"].(map[string]any)
		if !ok {
			continue
		}
		n++
		traced := cell["traced"].(map[string]any)["delta"].(map[string]any)
		if added["significant"] != false || added["value"] != 0.0 || traced["significant"] != false {
			t.Errorf("%v %v %v: identical runs differ: %v %v", cell["backend"], cell["mode"], cell["event"], added, traced)
		}
	}
	if n != 16 {
		t.Errorf("%d cells compared, want 16", n)
	}
	out, err := exec.Command(testutil.Binary(t), "compare", host, host).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "host ") {
			rows++
			if !strings.Contains(l, " ~ ") {
				t.Errorf("row %q: identical runs must give ~", l)
			}
		}
	}
	if rows != 32 {
		t.Errorf("%d rows in the two tables, want 32", rows)
	}
}

// A run whose on-samples are 40 ns slower: compare finds the 40 ns inside
// every interval, and writes the chart where asked.
func TestCompareShift(t *testing.T) {
	const shift = 40.0
	r, err := results.ReadDir(testutil.Fixture(t, "host"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Cells {
		if s := r.Cells[i].Samples; s != nil {
			for j := range s.On {
				s.On[j] += shift
			}
		}
	}
	newDir, chartDir := t.TempDir(), filepath.Join(t.TempDir(), "charts")
	if err := results.Write(newDir, r); err != nil {
		t.Fatal(err)
	}
	c := comparison(t, testutil.Fixture(t, "host"), newDir, "--out", chartDir)
	n := 0
	for _, x := range c["cells"].([]any) {
		cell := x.(map[string]any)
		added, ok := cell["added"].(map[string]any)
		if !ok {
			continue
		}
		n++
		traced := cell["traced"].(map[string]any)["delta"].(map[string]any)
		for _, d := range []map[string]any{added, traced} {
			if !(d["ci_low"].(float64) < shift && shift < d["ci_high"].(float64)) {
				t.Errorf("%v %v %v: %v, want %v inside the interval", cell["backend"], cell["mode"], cell["event"], d, shift)
			}
		}
	}
	if n != 16 {
		t.Errorf("%d cells compared, want 16", n)
	}
	for _, f := range []string{"compare.svg", "compare.png"} {
		if fi, err := os.Stat(filepath.Join(chartDir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("chart %s: %v", f, err)
		}
	}
}

// A missing, truncated or wrong-version results file stops report and
// compare with an error naming the file, and a non-zero exit.
func TestBadResultsFiles(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(testutil.Fixture(t, "host"), results.File))
	if err != nil {
		t.Fatal(err)
	}
	write := func(content string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, results.File), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	truncated := write(string(good[:len(good)/3]))
	version := write(strings.Replace(string(good), `"schema_version": 1`, `"schema_version": 9`, 1))
	empty := t.TempDir()
	fixture := testutil.Fixture(t, "host")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"report", truncated}, []string{filepath.Join(truncated, results.File), "truncated"}},
		{[]string{"report", version}, []string{filepath.Join(version, results.File), "schema_version 9"}},
		{[]string{"report", empty}, []string{filepath.Join(empty, results.File), "no such file"}},
		{[]string{"compare", "/nonexistent/results.json", fixture}, []string{"/nonexistent/results.json", "no such file"}},
		{[]string{"compare", fixture, truncated}, []string{filepath.Join(truncated, results.File), "truncated"}},
		{[]string{"compare", filepath.Join(version, results.File), fixture}, []string{filepath.Join(version, results.File), "schema_version 9"}},
		{[]string{"compare", fixture, empty, "--json"}, []string{filepath.Join(empty, results.File), "no such file"}},
		{[]string{"compare", fixture}, []string{"accepts 2 arg"}},
	} {
		out, err := exec.Command(testutil.Binary(t), c.args...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
			t.Errorf("%v: %v, want a non-zero exit", c.args, err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%v: output %q lacks %q", c.args, out, w)
			}
		}
	}
	// Nothing is written next to a bad file.
	if _, err := os.Stat(filepath.Join(truncated, reports.HTMLFile)); err == nil {
		t.Error("report.html written for a truncated results file")
	}
}
