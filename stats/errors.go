package stats

import "errors"

// ErrInput classifies input Compare and Summarize cannot use: an empty sample,
// a value that is not a positive finite duration, or options out of range.
var ErrInput = errors.New("invalid input")

// Warning classes. Effect.Warnings holds errors wrapping these, with the
// figures that triggered them; test for a class with Effect.Warns or
// errors.Is. A warning does not invalidate the numbers, but a reader must see
// it next to them (benchmath's convention).
var (
	// ErrFewSamples: a sample is too small for a finite confidence interval
	// of its median (fewer than 6 values at 95%); the interval of the effect
	// is then unbounded.
	ErrFewSamples = errors.New("too few samples")
	// ErrWeakTest: the U test cannot reject the null hypothesis whatever the
	// data (too few samples), or cannot run (every value is equal).
	ErrWeakTest = errors.New("U test cannot decide")
	// ErrNotSignificant: the U test's p-value is not below alpha.
	ErrNotSignificant = errors.New("not significant")
	// ErrSpansZero: the confidence interval of the added cost includes zero.
	ErrSpansZero = errors.New("confidence interval spans zero")
	// ErrBelowNoiseFloor: the added cost is smaller than the noise floor.
	ErrBelowNoiseFloor = errors.New("below the noise floor")
	// ErrEmulated: the samples come from software emulation; absolute times
	// are artefacts and only the ratio is meaningful.
	ErrEmulated = errors.New("emulated: absolute times are artefacts")
)
