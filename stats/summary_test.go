package stats

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestSummarize(t *testing.T) {
	xs := []float64{4, 100, 1, 3, 2}
	s, err := Summarize(xs)
	if err != nil {
		t.Fatal(err)
	}
	// Deviations from the median 3 are 1 97 2 0 1: MAD 1. Quartiles are
	// the medians of {1, 2} and {4, 100}. Sample variance 7610/4.
	want := Summary{N: 5, Median: 3, MAD: 1, IQR: 52 - 1.5, Min: 1, Max: 100, Mean: 22, StdDev: math.Sqrt(7610.0 / 4)}
	if s != want {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
	if !slices.Equal(xs, []float64{4, 100, 1, 3, 2}) {
		t.Error("Summarize modified its input")
	}
}

func TestSummarizeOne(t *testing.T) {
	s, err := Summarize([]float64{7})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Summary{N: 1, Median: 7, Min: 7, Max: 7, Mean: 7}); s != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
}

func TestSummarizeBadInput(t *testing.T) {
	for _, xs := range [][]float64{nil, {}, {1, math.NaN()}, {math.Inf(-1)}} {
		if _, err := Summarize(xs); !errors.Is(err, ErrInput) {
			t.Errorf("Summarize(%v): error %v, want ErrInput", xs, err)
		}
	}
}

// TestSummaryMatchesEffect: the descriptive median (montanaflynn/stats)
// and the one Compare reports (benchmath) agree, for odd and even sizes.
func TestSummaryMatchesEffect(t *testing.T) {
	for _, n := range []int{7, 8, 501, 1000} {
		r := seeded(n, 6000)
		off, on := populations[1].sample(r, n, 1, 0), populations[1].sample(r, n, 1, 0)
		e, err := Compare(off, on, Options{})
		if err != nil {
			t.Fatal(err)
		}
		so, err := Summarize(off)
		if err != nil {
			t.Fatal(err)
		}
		sn, err := Summarize(on)
		if err != nil {
			t.Fatal(err)
		}
		if so.Median != e.BaselineNs || sn.Median != e.TreatedNs {
			t.Errorf("n=%d: medians %v, %v; effect %v, %v", n, so.Median, sn.Median, e.BaselineNs, e.TreatedNs)
		}
	}
}
