package analysis

import (
	"encoding/json"
	"math"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/stats"
)

// Comparison is two runs compared cell by cell (tracebench compare A B):
// old is A, new is B.
type Comparison struct {
	Old string `json:"old_run"` // run IDs
	New string `json:"new_run"`
	// Cells are the cells present in both runs, in the old run's order.
	Cells []CellDelta `json:"cells"`
	// OnlyOld and OnlyNew are the cells present in one run only.
	OnlyOld []results.Key `json:"only_old"`
	OnlyNew []results.Key `json:"only_new"`
}

// CellDelta compares one cell of two runs.
//
// Two figures are compared, each from the per-chunk samples both results
// files store:
//
//   - Added: the backend's added cost per event, new − old, where each side's
//     added cost is median(on) − median(off) of its own samples with its
//     Price–Bonett interval (stats.Compare); the two runs are independent,
//     so Diff combines the intervals in quadrature and its z test gives the
//     p-value. Subtracting each run's own baseline keeps a change of the
//     machine's speed from reading as a change of the backend's cost.
//   - Traced: the ns/op of the workload with the backend attached, old
//     on-samples against new on-samples (stats.Compare: difference of medians,
//     Price–Bonett interval, Mann–Whitney U p-value), which is what benchstat
//     shows for the state=on lines of bench.txt.
//
// When either side ran under emulation both figures are ratios: Added is
// the new slowdown over the old one (ratio / ratio) and Traced is new / old.
type CellDelta struct {
	Target    string         `json:"target"`
	Backend   string         `json:"backend"`
	Mode      string         `json:"mode"`
	Event     event.Event    `json:"event"`
	OldStatus results.Status `json:"old_status"`
	NewStatus results.Status `json:"new_status"`
	Emulated  bool           `json:"emulated"`
	// OldEffect and NewEffect are the overheads each run reported.
	OldEffect *results.Effect `json:"old_overhead,omitempty"`
	NewEffect *results.Effect `json:"new_overhead,omitempty"`
	// Added and Traced are nil unless both cells kept samples.
	Added  *Difference `json:"added,omitempty"`
	Traced *Traced     `json:"traced,omitempty"`
}

// Key returns the cell's key.
func (d CellDelta) Key() results.Key {
	return results.Key{Target: d.Target, Backend: d.Backend, Mode: d.Mode, Event: d.Event}
}

// Traced compares the traced workload's ns/op of two runs.
type Traced struct {
	OldNs float64 `json:"old_ns"` // median of the old on-samples
	NewNs float64 `json:"new_ns"`
	// Delta is new − old in ns/op, or new / old under emulation.
	Delta Difference `json:"delta"`
}

// Compare compares every cell the old and the new run have in common.
func Compare(old, cur *results.Run) (*Comparison, error) {
	cmp := &Comparison{Old: old.RunID, New: cur.RunID}
	newCells := map[results.Key]results.Cell{}
	for _, c := range cur.Cells {
		newCells[c.Key()] = c
	}
	oldKeys := map[results.Key]bool{}
	for _, o := range old.Cells {
		oldKeys[o.Key()] = true
		n, ok := newCells[o.Key()]
		if !ok {
			cmp.OnlyOld = append(cmp.OnlyOld, o.Key())
			continue
		}
		d, err := compareCell(o, n)
		if err != nil {
			return nil, err
		}
		cmp.Cells = append(cmp.Cells, d)
	}
	for _, n := range cur.Cells {
		if !oldKeys[n.Key()] {
			cmp.OnlyNew = append(cmp.OnlyNew, n.Key())
		}
	}
	return cmp, nil
}

func compareCell(o, n results.Cell) (CellDelta, error) {
	d := CellDelta{
		Target: o.Target, Backend: o.Backend, Mode: o.Mode, Event: o.Event,
		OldStatus: o.Status, NewStatus: n.Status, Emulated: o.Emulated || n.Emulated,
		OldEffect: o.Overhead, NewEffect: n.Overhead,
	}
	if o.Samples == nil || n.Samples == nil {
		return d, nil
	}
	oe, err := stats.Compare(o.Samples.Off, o.Samples.On, stats.Options{})
	if err != nil {
		return d, err
	}
	ne, err := stats.Compare(n.Samples.Off, n.Samples.On, stats.Options{})
	if err != nil {
		return d, err
	}
	te, err := stats.Compare(o.Samples.On, n.Samples.On, stats.Options{})
	if err != nil {
		return d, err
	}
	d.Traced = &Traced{OldNs: te.BaselineNs, NewNs: te.TreatedNs}
	var added Difference
	if d.Emulated {
		added = DiffRatio(Interval{oe.Ratio, oe.RatioCILow, oe.RatioCIHigh}, Interval{ne.Ratio, ne.RatioCILow, ne.RatioCIHigh})
		d.Traced.Delta = Difference{Value: te.Ratio, Lo: te.RatioCILow, Hi: te.RatioCIHigh, P: te.PValue}
		d.Traced.Delta.Significant = te.PValue < 0.05 && (te.RatioCILow > 1 || te.RatioCIHigh < 1)
	} else {
		added = Diff(Interval{oe.AddedNs, oe.CILowNs, oe.CIHighNs}, Interval{ne.AddedNs, ne.CILowNs, ne.CIHighNs})
		d.Traced.Delta = Difference{Value: te.AddedNs, Lo: te.CILowNs, Hi: te.CIHighNs, P: te.PValue}
		d.Traced.Delta.Significant = te.PValue < 0.05 && (te.CILowNs > 0 || te.CIHighNs < 0)
	}
	d.Added = &added
	return d, nil
}

// MarshalJSON writes an unbounded interval's ends as null (JSON has no
// infinity).
func (d Difference) MarshalJSON() ([]byte, error) {
	bound := func(x float64) *float64 {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil
		}
		return &x
	}
	return json.Marshal(struct {
		Value       float64  `json:"value"`
		Lo          *float64 `json:"ci_low"`
		Hi          *float64 `json:"ci_high"`
		P           float64  `json:"p_value"`
		Significant bool     `json:"significant"`
	}{d.Value, bound(d.Lo), bound(d.Hi), d.P, d.Significant})
}
