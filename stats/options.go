package stats

import "fmt"

// Options tunes Compare. The zero value means a 95% confidence interval, a
// 0.05 significance level and no noise floor.
type Options struct {
	// Confidence is the level of the confidence intervals, in (0, 1).
	// Zero means 0.95.
	Confidence float64
	// Alpha is the significance level of the U test, in (0, 1).
	// Zero means 0.05, benchstat's default.
	Alpha float64
	// NoiseFloorNs is the smallest added cost, in ns per operation, that is
	// reported as resolved however significant it is: below it, systematic
	// effects the statistics cannot see (drift, cache and frequency effects of
	// switching) may account for the difference.
	NoiseFloorNs float64
	// NoiseFloorRel is the same floor as a fraction of the baseline median,
	// for events whose cost spans orders of magnitude (about 1 µs on a 3 ms
	// exec is noise, on a 1 µs getppid it is everything). The larger of the
	// two floors applies.
	NoiseFloorRel float64
	// Emulated marks samples taken under software emulation (qemu without
	// KVM), where absolute times are artefacts and only Ratio is meaningful.
	Emulated bool
}

// withDefaults fills zero fields and rejects values out of range.
func (o Options) withDefaults() (Options, error) {
	if o.Confidence == 0 {
		o.Confidence = 0.95
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	switch {
	case !(o.Confidence > 0 && o.Confidence < 1):
		return o, fmt.Errorf("confidence %v is not in (0, 1): %w", o.Confidence, ErrInput)
	case !(o.Alpha > 0 && o.Alpha < 1):
		return o, fmt.Errorf("alpha %v is not in (0, 1): %w", o.Alpha, ErrInput)
	case !(o.NoiseFloorNs >= 0):
		return o, fmt.Errorf("noise floor %v ns is negative: %w", o.NoiseFloorNs, ErrInput)
	case !(o.NoiseFloorRel >= 0):
		return o, fmt.Errorf("relative noise floor %v is negative: %w", o.NoiseFloorRel, ErrInput)
	}
	return o, nil
}

// noiseFloor is the floor in ns for a given baseline.
func (o Options) noiseFloor(baselineNs float64) float64 {
	return max(o.NoiseFloorNs, o.NoiseFloorRel*baselineNs)
}
