package analysis

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

func readFixture(t *testing.T, name string) *results.Run {
	t.Helper()
	r, err := results.ReadDir(testutil.Fixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// shifted returns a copy of r whose on-samples of the cells keep selects
// are changed by f.
func shifted(r *results.Run, keep func(results.Cell) bool, f func(float64) float64) *results.Run {
	out := *r
	out.Cells = make([]results.Cell, len(r.Cells))
	for i, c := range r.Cells {
		if c.Samples != nil && keep(c) {
			s := &results.Samples{Off: c.Samples.Off}
			for _, x := range c.Samples.On {
				s.On = append(s.On, f(x))
			}
			c.Samples = s
		}
		out.Cells[i] = c
	}
	return &out
}

func TestCompareIdentical(t *testing.T) {
	r := readFixture(t, "matrix")
	c, err := Compare(r, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Cells) != len(r.Cells) || len(c.OnlyOld) != 0 || len(c.OnlyNew) != 0 {
		t.Fatalf("%d common, %d only old, %d only new; want %d, 0, 0", len(c.Cells), len(c.OnlyOld), len(c.OnlyNew), len(r.Cells))
	}
	compared := 0
	for _, d := range c.Cells {
		if d.Added == nil {
			continue
		}
		compared++
		none := 0.0
		if d.Emulated {
			none = 1
		}
		if d.Added.Significant || d.Added.Value != none || d.Traced.Delta.Significant {
			t.Errorf("%v: identical runs differ: added %+v, traced %+v", d.Key(), *d.Added, d.Traced.Delta)
		}
	}
	if want := countSamples(r); compared != want {
		t.Errorf("%d cells compared, want the %d with samples", compared, want)
	}
}

func countSamples(r *results.Run) int {
	n := 0
	for _, c := range r.Cells {
		if c.Samples != nil {
			n++
		}
	}
	return n
}

// Adding X ns to every on-sample of the host adds X to each cell's added
// cost and to its traced ns/op: the shift lies inside every interval.
func TestCompareKnownShift(t *testing.T) {
	const x = 50.0
	old := readFixture(t, "host")
	isHost := func(c results.Cell) bool { return c.Target == "host" }
	c, err := Compare(old, shifted(old, isHost, func(v float64) float64 { return v + x }))
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, d := range c.Cells {
		if d.Added == nil {
			continue
		}
		compared++
		if a := d.Added; math.Abs(a.Value-x) > 1e-6 || !(a.Lo < x && x < a.Hi) {
			t.Errorf("%v: added delta %+v, want %v inside its interval", d.Key(), *a, x)
		}
		if tr := d.Traced.Delta; math.Abs(tr.Value-x) > 1e-6 || !(tr.Lo < x && x < tr.Hi) {
			t.Errorf("%v: traced delta %+v, want %v inside its interval", d.Key(), tr, x)
		}
		// The raw tracepoint's getppid chunks are tight (CI ±1 ns): a
		// 50 ns shift must be detected there.
		if d.Backend == "ebpf/rawtp" && d.Mode == "count" && d.Event == event.Getppid && !(d.Added.Significant && d.Traced.Delta.Significant) {
			t.Errorf("%v: a %v ns shift was not detected: %+v", d.Key(), x, *d.Added)
		}
	}
	if compared != 16 {
		t.Errorf("%d cells compared, want the host run's 16 with samples", compared)
	}
}

// Under emulation the comparison is of ratios: multiplying the on-samples
// by 1.05 multiplies each slowdown by 1.05.
func TestCompareEmulatedRatio(t *testing.T) {
	old := readFixture(t, "matrix")
	arm := func(c results.Cell) bool { return c.Target == "debian:6.1/arm64" }
	c, err := Compare(old, shifted(old, arm, func(v float64) float64 { return v * 1.05 }))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range c.Cells {
		if d.Added == nil || d.Target != "debian:6.1/arm64" {
			continue
		}
		n++
		if a := d.Added; !d.Emulated || math.Abs(a.Value-1.05) > 1e-6 || !(a.Lo < 1.05 && 1.05 < a.Hi) {
			t.Errorf("%v: ratio delta %+v (emulated %v), want 1.05 inside its interval", d.Key(), *a, d.Emulated)
		}
	}
	if n != 21 {
		t.Errorf("%d arm64 cells compared, want 21 (24 with samples less kprobe exec ×2 and stream/connect)", n)
	}
}

func TestCompareOnlyInOne(t *testing.T) {
	c, err := Compare(readFixture(t, "host"), readFixture(t, "matrix"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Cells) != 32 || len(c.OnlyOld) != 0 || len(c.OnlyNew) != 64 {
		t.Fatalf("%d common, %d only old, %d only new; want 32, 0, 64", len(c.Cells), len(c.OnlyOld), len(c.OnlyNew))
	}
	for _, k := range c.OnlyNew {
		if k.Target == "host" {
			t.Errorf("host cell %v listed as new only", k)
		}
	}
}

func TestDifferenceJSON(t *testing.T) {
	b, err := json.Marshal(Difference{Value: 3, Lo: math.Inf(-1), Hi: math.Inf(1), P: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"value":3,"ci_low":null,"ci_high":null,"p_value":1,"significant":false}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	b, err = json.Marshal(CellDelta{Target: "host", Event: event.Exec, Added: &Difference{Value: 1, Lo: 0.5, Hi: 1.5, P: 0.01, Significant: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"event":"exec"`) || !strings.Contains(string(b), `"added":{"value":1,"ci_low":0.5,"ci_high":1.5`) {
		t.Errorf("cell delta JSON: %s", b)
	}
}
