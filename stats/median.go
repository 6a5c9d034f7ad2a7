package stats

import (
	"fmt"
	"math"

	"golang.org/x/perf/benchmath"
)

// median is one sample's median with its standard error on the linear and
// the log scale, as Price and Bonett read it off the median's order-statistic
// confidence interval.
type median struct {
	center float64
	// se and logSE are +Inf when the sample is too small for a bounded
	// interval of its median.
	se, logSE float64
}

// estimateMedian summarises s with benchmath (exact binomial interval for
// small samples, its normal approximation above 30) and converts the
// interval [lo, hi], of actual coverage c, to a standard error
// (hi − lo) / (2·z(c)). The log-scale error uses the same order statistics,
// since the logarithm keeps their order.
func estimateMedian(side string, s *benchmath.Sample, confidence float64) (median, []error) {
	sum := benchmath.AssumeNothing.Summary(s, confidence)
	var warnings []error
	for _, w := range sum.Warnings {
		warnings = append(warnings, fmt.Errorf("%s: %w: %w", side, ErrFewSamples, w))
	}
	m := median{center: sum.Center, se: math.Inf(1), logSE: math.Inf(1)}
	if math.IsInf(sum.Lo, 0) || math.IsInf(sum.Hi, 0) {
		return m, warnings
	}
	twoZ := 2 * zTwoSided(sum.Confidence)
	m.se = (sum.Hi - sum.Lo) / twoZ
	m.logSE = (math.Log(sum.Hi) - math.Log(sum.Lo)) / twoZ
	return m, warnings
}

// zTwoSided is the standard normal quantile z with P(|Z| ≤ z) = c.
func zTwoSided(c float64) float64 {
	return math.Sqrt2 * math.Erfinv(c)
}
