package stats

import "fmt"

// String renders e on one line for progress output and tables. A resolved
// effect shows the added ns per operation with its interval and percentage;
// an unresolved one shows only the word "unresolved" with the test's p-value
// and sample sizes, never a number that could be mistaken for a measurement. Under
// emulation the ratio replaces nanoseconds.
//
//	+231 ns/op [+219, +243] (+21.9%) p=0.000 n=60+60
//	×1.219 [1.207, 1.231] p=0.000 n=60+60 emulated
//	unresolved p=0.412 n=60+60
func (e Effect) String() string {
	tail := fmt.Sprintf("p=%.3f n=%d+%d", e.PValue, e.NOff, e.NOn)
	switch {
	case !e.Resolved:
		s := "unresolved " + tail
		if e.Warns(ErrEmulated) {
			s += " emulated"
		}
		return s
	case e.Warns(ErrEmulated):
		return fmt.Sprintf("×%.3f [%.3f, %.3f] %s emulated", e.Ratio, e.RatioCILow, e.RatioCIHigh, tail)
	default:
		return fmt.Sprintf("%+.3g ns/op [%+.3g, %+.3g] (%+.1f%%) %s",
			e.AddedNs, e.CILowNs, e.CIHighNs, 100*(e.Ratio-1), tail)
	}
}
