package stats

import (
	"fmt"
	"math"

	descriptive "github.com/montanaflynn/stats"
)

// Summary describes one sample, for reports and for judging a run by eye
// (a large MAD or a max far above the median shows interrupts and context
// switches hitting chunks). Mean and StdDev are included for completeness;
// they are not robust to that tail, which is why Compare never uses them.
type Summary struct {
	N int
	// Median, MAD (median absolute deviation, unscaled) and IQR (Q3 − Q1,
	// quartiles as medians of the lower and upper halves) are robust.
	Median, MAD, IQR float64
	Min, Max         float64
	// Mean and StdDev (sample standard deviation, n − 1) are not.
	Mean, StdDev float64
}

// Summarize describes xs (not modified). It returns an error wrapping
// ErrInput if xs is empty or holds NaN or ±Inf. A single value has no
// spread: MAD, IQR and StdDev are then 0.
func Summarize(xs []float64) (Summary, error) {
	if len(xs) == 0 {
		return Summary{}, fmt.Errorf("stats: summarize: empty sample: %w", ErrInput)
	}
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Summary{}, fmt.Errorf("stats: summarize: value %d is %v: %w", i, x, ErrInput)
		}
	}
	data := descriptive.Float64Data(xs)
	s := Summary{N: len(xs)}
	// With a non-empty finite sample the library's only error cases
	// (empty input, too few values for quartiles) cannot occur except as
	// handled here, so its errors are not checked.
	s.Median, _ = data.Median()
	s.MAD, _ = data.MedianAbsoluteDeviation()
	s.Min, _ = data.Min()
	s.Max, _ = data.Max()
	s.Mean, _ = data.Mean()
	if len(xs) > 1 {
		s.IQR, _ = data.InterQuartileRange()
		s.StdDev, _ = data.StandardDeviationSample()
	}
	return s, nil
}
