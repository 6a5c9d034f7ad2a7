package stats

import (
	"errors"
	"fmt"
	"math"

	"golang.org/x/perf/benchmath"
)

// Effect is the added cost of a condition (on) over a baseline (off).
//
// Confidence bounds are ±Inf (ratio bounds 0 and +Inf) when a sample is too
// small for a bounded interval; ErrFewSamples then says so. Every other field
// is finite.
type Effect struct {
	// BaselineNs and TreatedNs are the medians of the off and on samples.
	BaselineNs, TreatedNs float64
	// AddedNs is TreatedNs − BaselineNs.
	AddedNs float64
	// CILowNs and CIHighNs bound AddedNs at the requested confidence. The
	// interval is symmetric about AddedNs.
	CILowNs, CIHighNs float64
	// PValue is the two-sided Mann–Whitney U test's p-value for "on and
	// off come from the same distribution".
	PValue float64
	// Resolved reports that the effect is significant (PValue < alpha),
	// its interval excludes zero, and |AddedNs| is at least the noise floor. An
	// unresolved effect must be labelled so, not printed as a number.
	Resolved bool
	// NOff and NOn are the sample sizes.
	NOff, NOn int
	// Ratio is TreatedNs / BaselineNs, with its interval in RatioCILow and
	// RatioCIHigh (computed on the log scale, so not symmetric). Under
	// emulation it is the only meaningful figure.
	Ratio, RatioCILow, RatioCIHigh float64
	// Warnings qualify the figures; each wraps one of the Err* warning
	// classes of this package, and some also wrap benchmath's own message.
	Warnings []error
}

// Compare estimates the effect of on over off, two samples of positive
// durations in ns per operation. Neither slice is modified. The result
// depends only on the inputs: there is no randomness.
//
// Compare returns an error wrapping ErrInput when a sample is empty or holds
// a value that is not a positive finite number, or when o is out of range.
// Small samples are not an error: they give unbounded intervals and warnings.
func Compare(off, on []float64, o Options) (Effect, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Effect{}, fmt.Errorf("stats: %w", err)
	}
	thresholds := &benchmath.Thresholds{CompareAlpha: o.Alpha}
	offS, err := newSample("off", off, thresholds)
	if err != nil {
		return Effect{}, err
	}
	onS, err := newSample("on", on, thresholds)
	if err != nil {
		return Effect{}, err
	}

	offM, offW := estimateMedian("off", offS, o.Confidence)
	onM, onW := estimateMedian("on", onS, o.Confidence)
	test := benchmath.AssumeNothing.Compare(offS, onS)

	e := Effect{
		BaselineNs: offM.center,
		TreatedNs:  onM.center,
		AddedNs:    onM.center - offM.center,
		PValue:     test.P,
		NOff:       len(off),
		NOn:        len(on),
		Ratio:      onM.center / offM.center,
	}
	z := zTwoSided(o.Confidence)
	half := z * math.Hypot(offM.se, onM.se)
	e.CILowNs, e.CIHighNs = e.AddedNs-half, e.AddedNs+half
	logHalf := z * math.Hypot(offM.logSE, onM.logSE)
	e.RatioCILow, e.RatioCIHigh = e.Ratio*math.Exp(-logHalf), e.Ratio*math.Exp(logHalf)

	e.Warnings = append(offW, onW...)
	for _, w := range test.Warnings {
		e.Warnings = append(e.Warnings, fmt.Errorf("%w: %w", ErrWeakTest, w))
	}
	if !(e.PValue < o.Alpha) {
		e.Warnings = append(e.Warnings, fmt.Errorf("%w: p=%.3g, alpha=%v", ErrNotSignificant, e.PValue, o.Alpha))
	}
	if e.CILowNs <= 0 && e.CIHighNs >= 0 {
		e.Warnings = append(e.Warnings, fmt.Errorf("%w: [%.4g, %.4g] ns", ErrSpansZero, e.CILowNs, e.CIHighNs))
	}
	if floor := o.noiseFloor(e.BaselineNs); math.Abs(e.AddedNs) < floor {
		e.Warnings = append(e.Warnings, fmt.Errorf("%w: |%.4g| ns < %.4g ns", ErrBelowNoiseFloor, e.AddedNs, floor))
	}
	e.Resolved = !e.Warns(ErrNotSignificant) && !e.Warns(ErrSpansZero) && !e.Warns(ErrBelowNoiseFloor)
	if o.Emulated {
		e.Warnings = append(e.Warnings, ErrEmulated)
	}
	return e, nil
}

// Warns reports whether one of e's warnings is of class target (one of the
// Err* warning classes).
func (e Effect) Warns(target error) bool {
	for _, w := range e.Warnings {
		if errors.Is(w, target) {
			return true
		}
	}
	return false
}

// newSample validates xs and returns a sorted copy as a benchmath sample
// (benchmath.NewSample sorts in place).
func newSample(side string, xs []float64, t *benchmath.Thresholds) (*benchmath.Sample, error) {
	if len(xs) == 0 {
		return nil, fmt.Errorf("stats: %s sample is empty: %w", side, ErrInput)
	}
	for i, x := range xs {
		if !(x > 0) || math.IsInf(x, 1) {
			return nil, fmt.Errorf("stats: %s sample value %d is %v, not a positive finite duration: %w", side, i, x, ErrInput)
		}
	}
	return benchmath.NewSample(append([]float64(nil), xs...), t), nil
}
