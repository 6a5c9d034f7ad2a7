package analysis

import (
	"math"

	"github.com/tracebench/tracebench/results"
)

// z95 is the standard normal quantile of a two-sided 95% interval, the
// level every interval in a results file has.
const z95 = 1.959963984540054

// Interval is an estimate with its 95% confidence interval.
type Interval struct{ Est, Lo, Hi float64 }

// Bounded reports whether the interval is finite and holds its estimate.
// The harness stores an unbounded interval (too few samples for one) as
// [0, 0], which fails this test unless the estimate is 0 too.
func (i Interval) Bounded() bool {
	return i.Lo <= i.Est && i.Est <= i.Hi && i.Lo < i.Hi &&
		!math.IsInf(i.Lo, 0) && !math.IsInf(i.Hi, 0)
}

// AddedNs is an effect's added ns per event with its interval.
func AddedNs(e *results.Effect) Interval { return Interval{e.AddedNs, e.CILowNs, e.CIHighNs} }

// Ratio is an effect's on/off ratio with its interval.
func Ratio(e *results.Effect) Interval { return Interval{e.Ratio, e.RatioCILow, e.RatioCIHigh} }

// Difference is how a second measured quantity differs from a first one,
// measured independently (another backend, another run), with a 95%
// confidence interval and a two-sided p-value.
type Difference struct {
	// Value is b − a for Diff, b / a for DiffRatio, with its interval.
	Value, Lo, Hi float64
	// P is the p-value of "no difference"; Significant is P < 0.05, which
	// is the same as the interval excluding 0 (Diff) or 1 (DiffRatio).
	P           float64
	Significant bool
}

// Diff is b − a. Each interval is read as a normal one, as the Price–Bonett
// intervals of package stats are built: its standard error is its
// half-width / 1.96; independent errors add in quadrature, and the p-value
// is the two-sided z test of the difference. An unbounded interval on
// either side gives an unbounded, insignificant difference.
func Diff(a, b Interval) Difference {
	return difference(b.Est-a.Est, se(a), se(b), a.Bounded() && b.Bounded())
}

// DiffRatio is b / a of two ratios (such as two on/off slowdowns), on the
// log scale where their intervals were built: the result's Value, Lo and
// Hi are ratios and the difference is significant when its interval
// excludes 1.
func DiffRatio(a, b Interval) Difference {
	ok := a.Bounded() && b.Bounded() && a.Lo > 0 && b.Lo > 0
	if !ok {
		return Difference{Value: b.Est / a.Est, Lo: math.Inf(-1), Hi: math.Inf(1), P: 1}
	}
	d := difference(math.Log(b.Est)-math.Log(a.Est), logSE(a), logSE(b), true)
	d.Value, d.Lo, d.Hi = math.Exp(d.Value), math.Exp(d.Lo), math.Exp(d.Hi)
	return d
}

func difference(delta, seA, seB float64, bounded bool) Difference {
	if !bounded {
		return Difference{Value: delta, Lo: math.Inf(-1), Hi: math.Inf(1), P: 1}
	}
	s := math.Hypot(seA, seB)
	d := Difference{Value: delta, Lo: delta - z95*s, Hi: delta + z95*s, P: 1}
	if s > 0 {
		d.P = math.Erfc(math.Abs(delta) / s / math.Sqrt2)
	} else if delta != 0 {
		d.P = 0
	}
	d.Significant = d.P < 0.05
	return d
}

func se(i Interval) float64    { return (i.Hi - i.Lo) / (2 * z95) }
func logSE(i Interval) float64 { return (math.Log(i.Hi) - math.Log(i.Lo)) / (2 * z95) }
