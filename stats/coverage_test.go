package stats

import (
	"fmt"
	"math"
	"testing"
)

// coverageTrials is the number of seeded trials per case. At a true
// coverage of 95% the observed rate has a standard error of 1.5%, so the
// bounds below are more than 3 standard errors away from nominal.
const coverageTrials = 200

var coverageSizes = []int{10, 30, 100, 1000}

// checkCoverage asserts that a 95% interval covered the truth in at least
// 90% of the trials. From 100 samples up it also asserts at most 99.5%: an
// interval that always covers is too wide, and the adaptive stop would
// waste time on it. Below 100 samples the order-statistic intervals are
// discrete and, on strongly skewed data, conservative (up to 100% for the
// Pareto population at n=10 and 30), which errs on the safe side.
func checkCoverage(t *testing.T, covered, n int) {
	t.Helper()
	rate := float64(covered) / coverageTrials
	t.Logf("coverage %.3f", rate)
	if rate < 0.90 || n >= 100 && rate > 0.995 {
		t.Errorf("95%% interval covered the truth in %d of %d trials", covered, coverageTrials)
	}
}

// TestShiftCoverage: the "on" sample is the "off" population plus a known
// shift (a backend adding a fixed cost per event), so the true difference
// of medians is the shift.
func TestShiftCoverage(t *testing.T) {
	for _, p := range populations {
		for _, n := range coverageSizes {
			t.Run(fmt.Sprintf("%s/n=%d", p.name, n), func(t *testing.T) {
				shift := p.spread
				covered := 0
				for trial := range coverageTrials {
					r := seeded(trial, uint64(n))
					off := p.sample(r, n, 1, 0)
					on := p.sample(r, n, 1, shift)
					e, err := Compare(off, on, Options{})
					if err != nil {
						t.Fatal(err)
					}
					if e.CILowNs <= shift && shift <= e.CIHighNs {
						covered++
					}
				}
				checkCoverage(t, covered, n)
			})
		}
	}
}

// TestScaleCoverage: the "on" sample is the "off" population scaled by
// 1.1 (a backend whose cost grows with the event's own cost, which also
// widens the distribution), so the true ratio of medians is 1.1 and the
// true difference is 0.1 times the median. Both intervals must cover.
func TestScaleCoverage(t *testing.T) {
	const scale = 1.1
	for _, p := range populations {
		for _, n := range coverageSizes {
			t.Run(fmt.Sprintf("%s/n=%d", p.name, n), func(t *testing.T) {
				diff := (scale - 1) * p.median()
				coveredDiff, coveredRatio := 0, 0
				for trial := range coverageTrials {
					r := seeded(trial, uint64(n)+1000)
					off := p.sample(r, n, 1, 0)
					on := p.sample(r, n, scale, 0)
					e, err := Compare(off, on, Options{})
					if err != nil {
						t.Fatal(err)
					}
					if e.CILowNs <= diff && diff <= e.CIHighNs {
						coveredDiff++
					}
					if e.RatioCILow <= scale && scale <= e.RatioCIHigh {
						coveredRatio++
					}
				}
				checkCoverage(t, coveredDiff, n)
				checkCoverage(t, coveredRatio, n)
			})
		}
	}
}

// TestIntervalWidth: with 1000 samples per side the interval's half-width
// approaches its asymptotic value 1.96·√2 / (2·f(m)·√n), where f(m) is the
// population's density at its median. An interval much wider would slow
// the adaptive stop; much narrower would over-claim. The mean over the
// trials must be within 10% of it.
func TestIntervalWidth(t *testing.T) {
	const n, trials = 1000, 50
	for _, p := range populations {
		t.Run(p.name, func(t *testing.T) {
			m := p.median()
			const h = 1e-3
			f := (p.cdf(m+h) - p.cdf(m-h)) / (2 * h)
			want := 1.959964 * math.Sqrt2 / (2 * f * math.Sqrt(n))
			sum := 0.0
			for trial := range trials {
				r := seeded(trial, 7)
				e, err := Compare(p.sample(r, n, 1, 0), p.sample(r, n, 1, p.spread), Options{})
				if err != nil {
					t.Fatal(err)
				}
				sum += e.HalfWidthNs()
			}
			got := sum / trials
			t.Logf("mean half-width %.3f ns, asymptotic %.3f ns", got, want)
			if got < 0.9*want || got > 1.1*want {
				t.Errorf("mean half-width %v ns, want %v ns ± 10%%", got, want)
			}
		})
	}
}
