package harness

import (
	"slices"
	"testing"

	"github.com/tracebench/tracebench/workloads"
)

func TestLabel(t *testing.T) {
	ivs := []interval{
		{0, 100, false},   // warm-up: dropped
		{110, 200, true},  // on
		{210, 300, false}, // off
	}
	chunks := []workloads.Chunk{
		{Start: 10, End: 20, Ops: 1},    // warm-up
		{Start: 95, End: 115, Ops: 1},   // spans a switch
		{Start: 120, End: 130, Ops: 2},  // on: 5 ns/op
		{Start: 190, End: 220, Ops: 1},  // spans
		{Start: 220, End: 240, Ops: 10}, // off: 2 ns/op
		{Start: 290, End: 310, Ops: 1},  // runs past the last interval
	}
	off, on := label(chunks, ivs)
	if !slices.Equal(on, []float64{5}) || !slices.Equal(off, []float64{2}) {
		t.Errorf("on %v off %v, want [5] and [2]", on, off)
	}
}
