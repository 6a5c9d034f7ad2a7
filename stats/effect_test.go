package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestPublishedExamples checks the interval against the worked examples of
// ci.median2 in Bonett's statpsych R package (the authors' own
// implementation of Bonett and Price 2002), group 1 as "on" and group 2 as
// "off".
func TestPublishedExamples(t *testing.T) {
	for _, c := range []struct {
		on, off           []float64
		added, low, high  float64
		baseline, treated float64
	}{
		{
			on:       []float64{32, 39, 26, 35, 43, 27, 40, 37, 34, 29},
			off:      []float64{36, 44, 47, 42, 49, 39, 46, 31, 33, 48},
			baseline: 43, treated: 34.5, added: -8.5, low: -16.95977, high: -0.04022524,
		},
		{
			on:       []float64{32.1, 39.8, 26.3, 35.0, 43.1, 27.0, 40.9, 37.4, 34.0, 29.2},
			off:      []float64{36.8, 44.0, 47.1, 42.7, 49.0, 39.6, 46.2, 31.6, 33.1, 48.4},
			baseline: 43.35, treated: 34.5, added: -8.85, low: -17.66002, high: -0.0399751,
		},
	} {
		e, err := Compare(c.off, c.on, Options{})
		if err != nil {
			t.Fatal(err)
		}
		near := func(got, want float64) bool { return math.Abs(got-want) < 1e-5 }
		if !near(e.BaselineNs, c.baseline) || !near(e.TreatedNs, c.treated) || !near(e.AddedNs, c.added) ||
			!near(e.CILowNs, c.low) || !near(e.CIHighNs, c.high) {
			t.Errorf("got medians %v→%v, added %v [%v, %v]; want %v→%v, %v [%v, %v]",
				e.BaselineNs, e.TreatedNs, e.AddedNs, e.CILowNs, e.CIHighNs,
				c.baseline, c.treated, c.added, c.low, c.high)
		}
		if e.NOff != 10 || e.NOn != 10 {
			t.Errorf("n = %d+%d, want 10+10", e.NOff, e.NOn)
		}
	}
}

// TestIdenticalNotResolved: when on and off come from one distribution,
// an effect is reported as resolved about as often as alpha allows (5%;
// the bound is 10%, three standard errors above), and every interval that
// spans zero carries the warning.
func TestIdenticalNotResolved(t *testing.T) {
	const trials = 200
	for _, p := range populations {
		for _, n := range []int{10, 100, 1000} {
			t.Run(fmt.Sprintf("%s/n=%d", p.name, n), func(t *testing.T) {
				resolved, spans := 0, 0
				for trial := range trials {
					r := seeded(trial, uint64(n)+2000)
					e, err := Compare(p.sample(r, n, 1, 0), p.sample(r, n, 1, 0), Options{})
					if err != nil {
						t.Fatal(err)
					}
					spansZero := e.CILowNs <= 0 && 0 <= e.CIHighNs
					if spansZero {
						spans++
					}
					if spansZero != e.Warns(ErrSpansZero) {
						t.Errorf("trial %d: interval [%v, %v], spans-zero warning %v", trial, e.CILowNs, e.CIHighNs, e.Warns(ErrSpansZero))
					}
					if (e.PValue >= 0.05) != e.Warns(ErrNotSignificant) {
						t.Errorf("trial %d: p=%v, not-significant warning %v", trial, e.PValue, e.Warns(ErrNotSignificant))
					}
					if e.Resolved {
						resolved++
						if spansZero || e.PValue >= 0.05 {
							t.Errorf("trial %d: resolved with p=%v and interval [%v, %v]", trial, e.PValue, e.CILowNs, e.CIHighNs)
						}
					}
				}
				t.Logf("resolved in %d, interval spans zero in %d of %d trials", resolved, spans, trials)
				if resolved > trials/10 {
					t.Errorf("identical distributions resolved as different in %d of %d trials", resolved, trials)
				}
			})
		}
	}
}

// TestShiftResolved: a shift of one typical deviation is resolved in
// nearly every trial with 100 samples per side, and its interval holds the
// shift and excludes zero.
func TestShiftResolved(t *testing.T) {
	const trials, n = 200, 100
	for _, p := range populations {
		t.Run(p.name, func(t *testing.T) {
			resolved := 0
			for trial := range trials {
				r := seeded(trial, 3000)
				e, err := Compare(p.sample(r, n, 1, 0), p.sample(r, n, 1, p.spread), Options{})
				if err != nil {
					t.Fatal(err)
				}
				if e.Resolved {
					resolved++
				}
			}
			t.Logf("resolved in %d of %d trials", resolved, trials)
			if resolved < trials*95/100 {
				t.Errorf("shift of %v ns resolved in only %d of %d trials", p.spread, resolved, trials)
			}
		})
	}
}

// TestSmallSamples: below 6 samples per side a 95% interval of a median
// is unbounded, so the effect's interval is too and the effect cannot be
// resolved, whatever the data say; below 4 the U test cannot reach 0.05.
// From 6 samples the interval is bounded.
func TestSmallSamples(t *testing.T) {
	for n := 1; n <= 6; n++ {
		off := make([]float64, n)
		on := make([]float64, n)
		for i := range n {
			off[i] = 1000 + float64(i)
			on[i] = 2000 + float64(i) // every on value is above every off value
		}
		e, err := Compare(off, on, Options{})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if e.AddedNs != 1000 {
			t.Errorf("n=%d: added %v, want 1000", n, e.AddedNs)
		}
		unbounded := math.IsInf(e.CILowNs, -1) && math.IsInf(e.CIHighNs, 1) && e.RatioCILow == 0 && math.IsInf(e.RatioCIHigh, 1)
		if n < 6 {
			if !unbounded || !e.Warns(ErrFewSamples) || e.Resolved || e.Precise(0.15, 10) {
				t.Errorf("n=%d: interval [%v, %v] ratio [%v, %v], resolved %v, warnings %v",
					n, e.CILowNs, e.CIHighNs, e.RatioCILow, e.RatioCIHigh, e.Resolved, e.Warnings)
			}
		} else if unbounded || e.Warns(ErrFewSamples) {
			t.Errorf("n=%d: interval [%v, %v], warnings %v", n, e.CILowNs, e.CIHighNs, e.Warnings)
		}
		if weak := e.Warns(ErrWeakTest); weak != (n < 4) {
			t.Errorf("n=%d: weak-test warning %v (p=%v)", n, weak, e.PValue)
		}
	}
}

// TestAllEqual: constant samples have no spread; the test cannot run and
// says so, and an equal pair is not an effect.
func TestAllEqual(t *testing.T) {
	xs := slices.Repeat([]float64{1000}, 20)
	e, err := Compare(xs, xs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.AddedNs != 0 || e.CILowNs != 0 || e.CIHighNs != 0 || e.PValue != 1 || e.Resolved ||
		!e.Warns(ErrWeakTest) || !e.Warns(ErrSpansZero) || !e.Warns(ErrNotSignificant) {
		t.Errorf("got %+v", e)
	}
}

// TestBadInput: what Compare cannot use is an ErrInput error, not a panic
// and not a number.
func TestBadInput(t *testing.T) {
	good := []float64{1, 2, 3, 4, 5, 6}
	for name, c := range map[string]struct {
		off, on []float64
		o       Options
	}{
		"empty off":       {off: nil, on: good},
		"empty on":        {off: good, on: []float64{}},
		"NaN":             {off: []float64{1, math.NaN()}, on: good},
		"+Inf":            {off: good, on: []float64{math.Inf(1)}},
		"zero":            {off: []float64{0, 1}, on: good},
		"negative":        {off: good, on: []float64{3, -1}},
		"confidence 1":    {off: good, on: good, o: Options{Confidence: 1}},
		"confidence -0.5": {off: good, on: good, o: Options{Confidence: -0.5}},
		"alpha NaN":       {off: good, on: good, o: Options{Alpha: math.NaN()}},
		"negative floor":  {off: good, on: good, o: Options{NoiseFloorNs: -1}},
		"negative rel":    {off: good, on: good, o: Options{NoiseFloorRel: -0.1}},
	} {
		if _, err := Compare(c.off, c.on, c.o); !errors.Is(err, ErrInput) {
			t.Errorf("%s: error %v, want ErrInput", name, err)
		}
	}
}

// TestDeterministic: the same input gives the same Effect, and the inputs
// are not reordered.
func TestDeterministic(t *testing.T) {
	r := seeded(1, 4000)
	p := populations[3]
	off, on := p.sample(r, 500, 1, 0), p.sample(r, 500, 1, 7)
	off0, on0 := slices.Clone(off), slices.Clone(on)
	a, err := Compare(off, on, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compare(off, on, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%#v %v", a, a.Warnings) != fmt.Sprintf("%#v %v", b, b.Warnings) {
		t.Errorf("two runs differ:\n%#v\n%#v", a, b)
	}
	if !slices.Equal(off, off0) || !slices.Equal(on, on0) {
		t.Error("Compare modified its input")
	}
}

// TestNoiseFloor: an effect smaller than the noise floor is not resolved
// however significant it is; the floor is the larger of the absolute and
// relative ones, and an effect exactly at the floor counts.
func TestNoiseFloor(t *testing.T) {
	off := make([]float64, 101)
	on := make([]float64, 101)
	for i := range off {
		off[i] = 3_000_000 + float64(i)
		on[i] = off[i] + 200
	}
	for _, c := range []struct {
		o        Options
		resolved bool
	}{
		{Options{}, true},
		{Options{NoiseFloorNs: 200}, true},
		{Options{NoiseFloorNs: math.Nextafter(200, 300)}, false},
		{Options{NoiseFloorRel: 1.0 / 3000}, false}, // 1000.0167 ns
		{Options{NoiseFloorRel: 1.0 / 20000}, true}, // 150.0025 ns
		{Options{NoiseFloorNs: 1000, NoiseFloorRel: 1.0 / 20000}, false},
	} {
		e, err := Compare(off, on, c.o)
		if err != nil {
			t.Fatal(err)
		}
		if e.AddedNs != 200 || e.PValue >= 0.05 || e.Warns(ErrSpansZero) {
			t.Fatalf("setup: added %v, p=%v, interval [%v, %v]", e.AddedNs, e.PValue, e.CILowNs, e.CIHighNs)
		}
		if e.Resolved != c.resolved || e.Warns(ErrBelowNoiseFloor) == c.resolved {
			t.Errorf("%+v: resolved %v, warnings %v; want resolved %v", c.o, e.Resolved, e.Warnings, c.resolved)
		}
	}
}

// TestString: a resolved effect prints its figures, an unresolved one only
// says so, and under emulation the ratio replaces nanoseconds.
func TestString(t *testing.T) {
	off := make([]float64, 20)
	on := make([]float64, 20)
	for i := range off {
		off[i] = 100 + float64(i)
		on[i] = off[i] + 50
	}
	e, err := Compare(off, on, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// median 109.5 → 159.5: +50 ns, +45.7%; all on above all off.
	if s := e.String(); !strings.HasPrefix(s, "+50 ns/op [+") || !strings.HasSuffix(s, "] (+45.7%) p=0.000 n=20+20") {
		t.Errorf("resolved: %q", s)
	}
	e, err = Compare(off, on, Options{Emulated: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := e.String(); !strings.HasPrefix(s, "×1.457 [") || !strings.HasSuffix(s, "] p=0.000 n=20+20 emulated") || !e.Resolved {
		t.Errorf("emulated: %q, resolved %v", s, e.Resolved)
	}
	e, err = Compare(off, off, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := e.String(); s != "unresolved p=1.000 n=20+20" {
		t.Errorf("unresolved: %q", s)
	}
}
