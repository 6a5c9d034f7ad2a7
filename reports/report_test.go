package reports

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

// report writes the report of a fixture into a temporary directory.
func report(t *testing.T, fixture string) (string, *results.Run, Files) {
	t.Helper()
	dir := testutil.CopyFixture(t, fixture)
	r, err := results.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Write(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	return dir, r, files
}

// matrix is the report of the matrix fixture, written once for the tests
// that only read it (drawing the PNGs takes seconds).
var matrix struct {
	once  sync.Once
	dir   string
	run   *results.Run
	files Files
	err   error
}

func matrixReport(t *testing.T) (string, *results.Run, Files) {
	t.Helper()
	matrix.once.Do(func() {
		matrix.dir, matrix.err = os.MkdirTemp("", "tracebench-report-")
		if matrix.err != nil {
			return
		}
		b, err := os.ReadFile(filepath.Join(testutil.Fixture(t, "matrix"), results.File))
		if err == nil {
			err = os.WriteFile(filepath.Join(matrix.dir, results.File), b, 0o644)
		}
		if err == nil {
			matrix.run, err = results.ReadDir(matrix.dir)
		}
		if err == nil {
			matrix.files, err = Write(matrix.dir, matrix.run)
		}
		matrix.err = err
	})
	if matrix.err != nil {
		t.Fatal(matrix.err)
	}
	return matrix.dir, matrix.run, matrix.files
}

func TestMain(m *testing.M) {
	code := m.Run()
	if matrix.dir != "" {
		os.RemoveAll(matrix.dir)
	}
	os.Exit(code)
}

// effects counts the resolved and unresolved effects a chart draws: one
// per cell that ran.
func effects(r *results.Run, of effectOf) (resolved, unresolved int) {
	for i := range r.Cells {
		c := &r.Cells[i]
		if c.Status != results.OK || of(c) == nil {
			continue
		}
		if of(c).Resolved {
			resolved++
		} else {
			unresolved++
		}
	}
	return resolved, unresolved
}

var chartNames = []string{"overhead", "slowdown", "collateral", "coverage", "portability", "attach", "kernels"}

func TestReportCharts(t *testing.T) {
	dir, r, files := matrixReport(t)
	doc := parseHTML(t, files.HTML)
	figs := Figures(r)
	if len(figs) != len(chartNames) {
		t.Fatalf("%d figures, want %d", len(figs), len(chartNames))
	}
	styles := newStyles(r)
	for i, f := range figs {
		if f.Name != chartNames[i] {
			t.Errorf("figure %d is %s, want %s", i, f.Name, chartNames[i])
		}
		sec := byID(t, doc, "chart-"+f.Name)
		if h := all(sec, tag("h2")); len(h) != 1 || textOf(h[0]) != f.Title || f.Title == "" {
			t.Errorf("%s: heading %v, want %q", f.Name, h, f.Title)
		}
		if g := all(sec, func(n *html.Node) bool { return attr(n, "class") == "guide" }); len(g) != 1 || textOf(g[0]) != f.Guide || f.Guide == "" {
			t.Errorf("%s: no reading guide", f.Name)
		}
		svgs := all(sec, tag("svg"))
		if len(svgs) != 1 {
			t.Fatalf("%s: %d inline SVGs, want 1", f.Name, len(svgs))
		}
		texts := svgTexts(svgs[0])
		for _, e := range f.Legend {
			if count(texts, equals(e.Text)) != 1 {
				t.Errorf("%s: legend entry %q drawn %d times, want once", f.Name, e.Text, count(texts, equals(e.Text)))
			}
		}
		png := filepath.Join(dir, ChartsDir, f.Name+".png")
		if !strings.Contains(textOf(sec), filepath.Join(ChartsDir, f.Name+".png")) {
			t.Errorf("%s: the section does not link its PNG copy", f.Name)
		}
		checkPNG(t, png, f)
	}
	// Every series is in the legend of the charts of effects.
	for _, name := range []string{"overhead", "slowdown", "collateral", "kernels"} {
		texts := svgTexts(all(byID(t, doc, "chart-"+name), tag("svg"))[0])
		for _, s := range styles.series {
			if count(texts, equals(s.String())) != 1 {
				t.Errorf("%s: series %s missing from the legend", name, s)
			}
		}
	}
	if len(files.PNGs) != len(figs) {
		t.Errorf("%d PNGs written, want %d", len(files.PNGs), len(figs))
	}
}

func checkPNG(t *testing.T, path string, f *Figure) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if w, want := img.Bounds().Dx(), int(f.Width.Points()*150/72+0.5); w < want-1 || w > want+1 {
		t.Errorf("%s: %d px wide, want %d (150 dpi)", path, w, want)
	}
	if nonWhite(img) < 0.02 {
		t.Errorf("%s: almost blank", path)
	}
}

// Resolved effects are bars (or points) with one whisker each; unresolved
// ones are a dashed interval under a "?", never a bar or a whisker.
func TestReportWhiskers(t *testing.T) {
	_, r, files := matrixReport(t)
	doc := parseHTML(t, files.HTML)
	for _, c := range []struct {
		chart string
		of    effectOf
	}{{"overhead", overheadOf}, {"slowdown", overheadOf}, {"kernels", overheadOf}, {"collateral", collateralOf}} {
		res, unres := effects(r, c.of)
		svg := all(byID(t, doc, "chart-"+c.chart), tag("svg"))[0]
		whiskers := len(all(svg, func(n *html.Node) bool {
			return n.Data == "path" && strings.Contains(attr(n, "style"), "stroke:#222222")
		}))
		marks := count(svgTexts(svg), equals("?"))
		if whiskers != res || marks != unres {
			t.Errorf("%s: %d whiskers and %d \"?\", want %d resolved and %d unresolved effects", c.chart, whiskers, marks, res, unres)
		}
		if unres == 0 || res == 0 {
			t.Errorf("%s: the fixture should have both kinds, has %d resolved, %d unresolved", c.chart, res, unres)
		}
	}
}

// Every portability cell that is not green shows its reason: in the chart
// its class (and cells, when partly supported), in the table the full text.
func TestReportPortabilityReasons(t *testing.T) {
	_, r, files := matrixReport(t)
	doc := parseHTML(t, files.HTML)
	sec := byID(t, doc, "chart-portability")
	texts := svgTexts(all(sec, tag("svg"))[0])
	table := byID(t, doc, "portability-table")
	var tds []*html.Node
	for _, row := range all(table, tag("tr"))[1:] {
		tds = append(tds, all(row, tag("td"))[1:]...)
	}
	notGreen := 0
	for i, row := range analysis.Portability(r) {
		for j, s := range row {
			td := tds[i*len(row)+j]
			if attr(td, "class") != string(s.Level()) {
				t.Errorf("%s %s: table cell class %q, want %q", s.Target, s.Backend, attr(td, "class"), s.Level())
			}
			if s.Level() == analysis.Runs {
				continue
			}
			notGreen++
			for _, g := range s.Reasons {
				label := g.Class
				if s.OK > 0 {
					label = reasonLabel(g)
				}
				if count(texts, func(x string) bool { return strings.HasPrefix(x, label) }) == 0 {
					t.Errorf("%s %s: the chart does not show reason %q", s.Target, s.Backend, label)
				}
				if !strings.Contains(textOf(td), g.Class) || !strings.Contains(textOf(td), g.Detail) || !strings.Contains(textOf(td), strings.Join(g.Cells, ", ")) {
					t.Errorf("%s %s: table cell %q lacks the reason %s: %s", s.Target, s.Backend, textOf(td), g.Class, g.Detail)
				}
			}
		}
	}
	if notGreen != 5 {
		t.Errorf("%d cells not green, want 5 (host kprobe and fentry, 5.10 kprobe, arm64 kprobe and fentry)", notGreen)
	}
	// Each target's row names its kernel, arch and BTF source.
	for _, want := range []string{"Linux 5.10.0-35-amd64, amd64, emulated", "no kernel BTF; used: external:/var/cache/tracebench/btf/5.10.0-35-amd64.btf", "kernel BTF; used: kernel"} {
		if !strings.Contains(textOf(table), want) {
			t.Errorf("portability table lacks %q", want)
		}
	}
	if !strings.Contains(strings.Join(texts, "\n"), "no kernel BTF; used: external 5.10.0-35-amd64.btf") {
		t.Errorf("portability chart lacks the 5.10 target's BTF source")
	}
}

func TestReportCoverageAndAttach(t *testing.T) {
	_, r, files := matrixReport(t)
	doc := parseHTML(t, files.HTML)
	cov := svgTexts(all(byID(t, doc, "chart-coverage"), tag("svg"))[0])
	for _, want := range []string{"lost 1.7% (33958)", "lost 0.4% (7989)", "unexplained 3", "invalid 37 of 4141"} {
		if count(cov, equals(want)) != 1 {
			t.Errorf("coverage chart: %q drawn %d times, want once", want, count(cov, equals(want)))
		}
	}
	if n := count(cov, func(s string) bool { return strings.HasPrefix(s, "100% of ") }); n != 65 {
		t.Errorf("coverage chart: %d complete cells, want 65", n)
	}
	attach := svgTexts(all(byID(t, doc, "chart-attach"), tag("svg"))[0])
	// host: kprobe and fentry in both modes; arm64: fentry in both.
	if n := count(attach, equals("did not run")); n != 6 {
		t.Errorf("attach chart: %d series marked as not run, want 6", n)
	}
	if n := count(attach, equals("time (log scale)")); n != len(r.Targets) {
		t.Errorf("attach chart: %d panels with a time axis, want %d", n, len(r.Targets))
	}
	if count(attach, equals("debian:6.1/arm64 (Linux 6.1.0-40-arm64) — emulated: times are artefacts of the emulator")) != 1 {
		t.Error("attach chart does not flag the emulated arm64 target")
	}
	over := svgTexts(all(byID(t, doc, "chart-overhead"), tag("svg"))[0])
	if count(over, equals("added ns per event")) != 1 || count(over, equals("slowdown % (emulated)")) != 2 {
		t.Errorf("overhead chart: axis labels wrong: %d ns, %d emulated", count(over, equals("added ns per event")), count(over, equals("slowdown % (emulated)")))
	}
	kern := svgTexts(all(byID(t, doc, "chart-kernels"), tag("svg"))[0])
	if count(kern, equals("slowdown, %")) != 4 {
		t.Errorf("kernels chart: want the slowdown axis on its 4 panels (emulated targets)")
	}
}

// An unresolved effect never reaches a table as a number.
func TestReportUnresolvedNotNumbers(t *testing.T) {
	_, r, files := matrixReport(t)
	doc := parseHTML(t, files.HTML)
	md, err := os.ReadFile(files.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	htmlRows := map[string][][]string{} // by target
	for _, table := range all(byID(t, doc, "results"), tag("table")) {
		for _, tr := range all(table, tag("tr")) {
			var row []string
			for _, td := range all(tr, tag("td")) {
				row = append(row, textOf(td))
			}
			htmlRows[attr(table, "data-target")] = append(htmlRows[attr(table, "data-target")], row)
		}
	}
	checked := 0
	for _, c := range r.Cells {
		if c.Status != results.OK || c.Overhead == nil || c.Overhead.Resolved {
			continue
		}
		checked++
		numbers := []string{signedNs(c.Overhead.AddedNs), trimFloat(c.Overhead.AddedNs)}
		found := 0
		for _, row := range htmlRows[c.Target] {
			if len(row) == len(cellColumns) && row[0] == c.Backend && row[1] == c.Mode && row[2] == c.Event.String() {
				found++
				if !strings.HasPrefix(row[5], "unresolved (p=") || strings.Contains(strings.Join(row, " "), numbers[0]) {
					t.Errorf("%v: HTML row %q shows a number for an unresolved effect", c.Key(), row)
				}
			}
		}
		if found != 1 {
			t.Errorf("%v: %d HTML rows, want 1", c.Key(), found)
		}
		target, rows := "", 0
		for _, line := range strings.Split(string(md), "\n") {
			if h, ok := strings.CutPrefix(line, "### target "); ok {
				target, _, _ = strings.Cut(h, ": Linux ")
			}
			if target == c.Target && strings.HasPrefix(line, "| "+c.Backend+" | "+c.Mode+" | "+c.Event.String()+" |") {
				rows++
				if !strings.Contains(line, "| unresolved (p=") || strings.Contains(line, numbers[0]) {
					t.Errorf("%v: markdown row %q does not say unresolved", c.Key(), line)
				}
			}
		}
		if rows != 1 {
			t.Errorf("%v: %d markdown rows, want 1", c.Key(), rows)
		}
		for _, f := range Summary(r) {
			for _, n := range numbers {
				if strings.Contains(f.String(), n) && !resolvedFigure(r, n) {
					t.Errorf("%v: summary states its unresolved figure %s: %s", c.Key(), n, f)
				}
			}
		}
	}
	if checked != 19 {
		t.Errorf("%d unresolved effects checked, want the fixture's 19", checked)
	}
}

// resolvedFigure reports whether s is also how a resolved figure of r
// prints, so that finding it in the summary proves nothing.
func resolvedFigure(r *results.Run, s string) bool {
	for _, c := range r.Cells {
		for _, e := range []*results.Effect{c.Overhead, c.Collateral} {
			if e != nil && e.Resolved && (signedNs(e.AddedNs) == s || signedNs(e.CILowNs) == s || signedNs(e.CIHighNs) == s) {
				return true
			}
		}
	}
	return false
}

func TestReportMarkdown(t *testing.T) {
	_, r, files := matrixReport(t)
	b, err := os.ReadFile(files.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		"# tracebench report: run 20261125-163211\n",
		"> **Emulation.** Measured under software emulation",
		"## Summary\n",
		"| target | ebpf/tracepoint | ebpf/rawtp | ebpf/kprobe | ebpf/fentry |\n|---|---|---|---|---|\n",
		"| backend | mode | event | status | base/op | added/event [95% CI] |",
		"### target debian:6.1/arm64: Linux 6.1.0-40-arm64 arm64",
		"| ebpf/rawtp | count | getppid | ok | 144ns | +106ns [+105ns, +106ns] |",
		"unsupported: missing-config",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, f := range Figures(r) {
		if want := "![" + f.Title + "](charts/" + f.Name + ".png)"; !strings.Contains(md, want) {
			t.Errorf("report.md lacks the chart %s", want)
		}
	}
	rows := 0
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| ebpf/") {
			rows++
		}
	}
	if rows != len(r.Cells) {
		t.Errorf("report.md has %d cell rows, want %d", rows, len(r.Cells))
	}
	// A pipe inside a cell would break the table.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| ebpf/") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != len(cellColumns)+1 {
			t.Errorf("malformed row %q", line)
		}
	}
}

// The page needs nothing but itself: no script, no stylesheet or image to
// fetch, links only inside the page or to its PNG copies.
func TestReportSelfContained(t *testing.T) {
	_, _, files := matrixReport(t)
	doc := parseHTML(t, files.HTML)
	for _, n := range all(doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed":
			t.Errorf("report.html has a <%s>", n.Data)
		}
		for _, a := range n.Attr {
			switch {
			case a.Key == "src":
				t.Errorf("<%s src=%q>", n.Data, a.Val)
			case a.Key == "href" && !strings.HasPrefix(a.Val, "#") && !strings.HasPrefix(a.Val, ChartsDir+"/"):
				t.Errorf("<%s href=%q> leaves the page", n.Data, a.Val)
			case strings.HasPrefix(a.Key, "on"):
				t.Errorf("<%s %s> is a script", n.Data, a.Key)
			}
		}
	}
	b, _ := os.ReadFile(files.HTML)
	if strings.Contains(string(b), "url(") || strings.Contains(string(b), "@import") {
		t.Error("the stylesheet fetches something")
	}
}

// bench.txt is written when the run directory lacks it and kept when it
// has one.
func TestReportBench(t *testing.T) {
	dir, _, files := report(t, "matrix")
	b, err := os.ReadFile(files.Bench)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "BenchmarkEvent/target=debian:6.1:arm64/backend=ebpf:rawtp/mode=count/event=getppid/state=on") {
		t.Error("bench.txt lacks the guest's samples")
	}
	if err := os.WriteFile(files.Bench, []byte("kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, _ := results.ReadDir(dir)
	if _, err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(files.Bench); string(b) != "kept\n" {
		t.Error("an existing bench.txt was rewritten")
	}
}

// A run where nothing ran, and a run with no cells at all (interrupted at
// once), still give a complete report that says so.
func TestReportNothingRan(t *testing.T) {
	r, err := results.ReadDir(testutil.Fixture(t, "host"))
	if err != nil {
		t.Fatal(err)
	}
	var none []results.Cell
	for _, c := range r.Cells {
		if c.Status != results.OK {
			none = append(none, c)
		}
	}
	for name, cells := range map[string][]results.Cell{"unsupported only": none, "no cells": nil} {
		t.Run(name, func(t *testing.T) {
			run := *r
			run.Cells = cells
			dir := t.TempDir()
			files, err := Write(dir, &run)
			if err != nil {
				t.Fatal(err)
			}
			doc := parseHTML(t, files.HTML)
			if n := len(all(doc, tag("svg"))); n != len(chartNames) {
				t.Errorf("%d charts, want %d", n, len(chartNames))
			}
			summary := textOf(byID(t, doc, "summary"))
			if len(cells) > 0 && !strings.Contains(summary, "unsupported on host (missing-config: the kernel has no kprobes") {
				t.Errorf("summary does not say why nothing ran: %s", summary)
			}
		})
	}
}
