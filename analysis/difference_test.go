package analysis

import (
	"math"
	"testing"
)

func TestDiff(t *testing.T) {
	// Two intervals of standard error 1 (half-width 1.96): the difference
	// of 3 has standard error √2 and z = 3/√2.
	a := Interval{Est: 10, Lo: 10 - z95, Hi: 10 + z95}
	b := Interval{Est: 13, Lo: 13 - z95, Hi: 13 + z95}
	d := Diff(a, b)
	if d.Value != 3 {
		t.Errorf("value %v, want 3", d.Value)
	}
	if half := z95 * math.Sqrt2; math.Abs(d.Hi-3-half) > 1e-12 || math.Abs(3-d.Lo-half) > 1e-12 {
		t.Errorf("interval [%v, %v], want 3 ± %v", d.Lo, d.Hi, half)
	}
	if want := math.Erfc(3 / math.Sqrt2 / math.Sqrt2); math.Abs(d.P-want) > 1e-12 || !d.Significant {
		t.Errorf("p %v significant %v, want %v and significant", d.P, d.Significant, want)
	}
	// Significance and an interval excluding zero are the same test.
	for _, shift := range []float64{0, 1, 2.7, 2.78, 3, 5} {
		d := Diff(a, Interval{Est: 10 + shift, Lo: 10 + shift - z95, Hi: 10 + shift + z95})
		if excludes := d.Lo > 0 || d.Hi < 0; excludes != d.Significant {
			t.Errorf("shift %v: interval [%v, %v] but significant=%v (p=%v)", shift, d.Lo, d.Hi, d.Significant, d.P)
		}
	}
}

func TestDiffUnbounded(t *testing.T) {
	// The harness stores an interval it could not bound as [0, 0].
	a := Interval{Est: 150, Lo: 0, Hi: 0}
	b := Interval{Est: 300, Lo: 290, Hi: 310}
	for _, d := range []Difference{Diff(a, b), Diff(b, a), DiffRatio(Interval{2, 0, 0}, Interval{3, 2.9, 3.1})} {
		if d.Significant || d.P != 1 || !math.IsInf(d.Lo, -1) || !math.IsInf(d.Hi, 1) {
			t.Errorf("difference with an unbounded side: %+v, want unbounded and insignificant", d)
		}
	}
}

func TestDiffRatio(t *testing.T) {
	// Log-scale standard error 0.01 on each side.
	iv := func(r float64) Interval { return Interval{r, r * math.Exp(-z95*0.01), r * math.Exp(z95*0.01)} }
	d := DiffRatio(iv(1.2), iv(1.5))
	if math.Abs(d.Value-1.25) > 1e-12 {
		t.Errorf("ratio of ratios %v, want 1.25", d.Value)
	}
	half := z95 * 0.01 * math.Sqrt2
	if math.Abs(d.Lo-1.25*math.Exp(-half)) > 1e-12 || math.Abs(d.Hi-1.25*math.Exp(half)) > 1e-12 || !d.Significant {
		t.Errorf("got %+v, want 1.25 × exp(±%v), significant", d, half)
	}
	if d := DiffRatio(iv(1.2), iv(1.2)); d.Significant || d.P != 1 || d.Value != 1 {
		t.Errorf("equal ratios: %+v", d)
	}
}
