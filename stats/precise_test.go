package stats

import (
	"math"
	"testing"
)

// TestPreciseBoundaries: the half-width may equal the bound, not exceed it;
// the bound is the larger of the relative and absolute ones; the sign of
// the effect does not matter; an unbounded interval is never precise.
func TestPreciseBoundaries(t *testing.T) {
	above := func(x float64) float64 { return math.Nextafter(x, math.Inf(1)) }
	for _, c := range []struct {
		name             string
		added, low, high float64
		rel, abs         float64
		want             bool
	}{
		{"relative bound reached", 100, 75, 125, 0.25, 10, true},
		{"relative bound exceeded", 100, 75, above(125), 0.25, 10, false},
		{"negative effect", -100, -125, -75, 0.25, 10, true},
		{"absolute bound reached", 0, -10, 10, 0.25, 10, true},
		{"absolute bound exceeded", 0, -above(10), above(10), 0.25, 10, false},
		{"absolute beats relative", 20, 10, 30, 0.25, 10, true},
		{"relative beats absolute", 1000, 880, 1120, 0.125, 10, true},
		{"issue 2 rule, 15% of 231 ns", 231, 200, 262, 0.15, 10, true},
		{"issue 2 rule, too wide", 231, 190, 272, 0.15, 10, false},
		{"unbounded", 100, math.Inf(-1), math.Inf(1), 0.25, 10, false},
	} {
		e := Effect{AddedNs: c.added, CILowNs: c.low, CIHighNs: c.high}
		if got := e.Precise(c.rel, c.abs); got != c.want {
			t.Errorf("%s: Precise(%v, %v) with %v [%v, %v] = %v", c.name, c.rel, c.abs, c.added, c.low, c.high, got)
		}
	}
}

// TestPreciseWithMoreSamples: the stop rule is what adaptive repetition
// waits for. A 30 ns shift on 20 ns noise is not precise to 15% with 10
// chunks per side and is with 2000, whose interval also holds the shift.
func TestPreciseWithMoreSamples(t *testing.T) {
	p := populations[0]
	r := seeded(0, 5000)
	var widths []float64
	for _, n := range []int{10, 2000} {
		e, err := Compare(p.sample(r, n, 1, 0), p.sample(r, n, 1, 30), Options{})
		if err != nil {
			t.Fatal(err)
		}
		widths = append(widths, e.HalfWidthNs())
		if got := e.Precise(0.15, 10); got != (n == 2000) {
			t.Errorf("n=%d: Precise = %v with %v [%v, %v]", n, got, e.AddedNs, e.CILowNs, e.CIHighNs)
		}
		if n == 2000 && !(e.CILowNs <= 30 && 30 <= e.CIHighNs && e.Resolved) {
			t.Errorf("n=%d: %v [%v, %v] resolved %v", n, e.AddedNs, e.CILowNs, e.CIHighNs, e.Resolved)
		}
	}
	t.Logf("half-widths %v ns", widths)
}
