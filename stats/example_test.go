package stats_test

import (
	"fmt"

	"github.com/tracebench/tracebench/stats"
)

// A backend adding about 230 ns to a 1 µs syscall, measured over twelve
// chunks each way: the effect is resolved and precise enough to stop.
func ExampleCompare() {
	off := []float64{1052, 1047, 1061, 1049, 1055, 1050, 1046, 1058, 1053, 1339, 1051, 1048}
	on := []float64{1281, 1276, 1290, 1279, 1284, 1280, 1275, 1288, 1282, 1277, 1614, 1283}
	e, err := stats.Compare(off, on, stats.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)
	fmt.Println("precise:", e.Precise(0.15, 10))
	// Output:
	// +230 ns/op [+223, +237] (+21.9%) p=0.000 n=12+12
	// precise: true
}

// Too few chunks: the numbers are computed but the effect is not resolved,
// and the warnings say why.
func ExampleEffect_Warnings() {
	e, err := stats.Compare([]float64{1050, 1047, 1061}, []float64{1281, 1276, 1290}, stats.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)
	for _, w := range e.Warnings {
		fmt.Println(w)
	}
	// Output:
	// unresolved p=0.100 n=3+3
	// off: too few samples: need >= 6 samples for confidence interval at level 0.95
	// on: too few samples: need >= 6 samples for confidence interval at level 0.95
	// U test cannot decide: need >= 4 samples to detect a difference at alpha level 0.05
	// not significant: p=0.1, alpha=0.05
	// confidence interval spans zero: [-Inf, +Inf] ns
}
