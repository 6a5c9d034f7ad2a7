package stats

import (
	"fmt"
	"testing"
)

// BenchmarkCompare measures Compare on samples of the sizes a long run
// produces (a chunk every few ms for a minute is about 10⁴ per side).
func BenchmarkCompare(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			r := seeded(0, 7000)
			p := populations[3]
			off, on := p.sample(r, n, 1, 0), p.sample(r, n, 1, 20)
			for b.Loop() {
				if _, err := Compare(off, on, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
