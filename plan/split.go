package plan

import (
	"slices"
	"time"

	"github.com/tracebench/tracebench/results"
)

// Unit is the unit of scheduling: cells of one target that one machine
// runs together. A guest unit is one boot of the guest, which costs
// GuestBoot whatever it runs, so a guest's cells stay in one unit unless
// splitting the unit shortens the longest shard; then it is halved, at a
// backend boundary when it has several backends (each backend's plugin
// starts once per unit). Host units split the same way but pay no boot.
type Unit struct {
	Target string
	Guest  bool
	Cells  []results.Key // canonical order, one target
	Cost   time.Duration
	pos    int // canonical index of the first cell: the tie-breaker
}

// backends lists the unit's backends, each once, in order.
func (u Unit) backends() []string {
	var out []string
	for _, c := range u.Cells {
		if !slices.Contains(out, c.Backend) {
			out = append(out, c.Backend)
		}
	}
	return out
}

// halve splits u in two, at the backend boundary that balances the halves
// best, or between cells when u has one backend; false if u is one cell.
func (s Selection) halve(u Unit) (Unit, Unit, bool) {
	if len(u.Cells) < 2 {
		return Unit{}, Unit{}, false
	}
	var cuts []int
	for i := 1; i < len(u.Cells); i++ {
		if u.Cells[i].Backend != u.Cells[i-1].Backend {
			cuts = append(cuts, i)
		}
	}
	if len(cuts) == 0 {
		cuts = []int{len(u.Cells) / 2}
	}
	best, bestGap := 0, time.Duration(-1)
	for _, cut := range cuts {
		a, b := s.part(u, 0, cut), s.part(u, cut, len(u.Cells))
		gap := a.Cost - b.Cost
		if gap < 0 {
			gap = -gap
		}
		if bestGap < 0 || gap < bestGap {
			best, bestGap = cut, gap
		}
	}
	return s.part(u, 0, best), s.part(u, best, len(u.Cells)), true
}

func (s Selection) part(u Unit, from, to int) Unit {
	p := Unit{Target: u.Target, Guest: u.Guest, Cells: u.Cells[from:to:to], pos: u.pos + from}
	p.Cost = s.unitCost(p)
	return p
}

// schedule assigns units to n shards by longest processing time first:
// the costliest unit goes to the least loaded shard (the lowest index on
// ties). Integer costs and total orders make it deterministic. Units of
// one target that land in one shard run together (one boot, one plugin
// start per backend), and the shard's cost counts them so.
func (s Selection) schedule(units []Unit, n int) []Shard {
	sorted := slices.Clone(units)
	slices.SortFunc(sorted, func(a, b Unit) int {
		if a.Cost != b.Cost {
			return compare(b.Cost, a.Cost)
		}
		return a.pos - b.pos
	})
	shards := make([]Shard, n)
	for i := range shards {
		shards[i] = Shard{Index: i + 1, Count: n}
	}
	for _, u := range sorted {
		least := 0
		for i := range shards {
			if shards[i].Cost < shards[least].Cost {
				least = i
			}
		}
		s.add(&shards[least], u)
	}
	return shards
}

// add puts u in shard sh, merging it into the shard's group of u's target.
func (s Selection) add(sh *Shard, u Unit) {
	sh.Units = append(sh.Units, u)
	for i, g := range sh.groups {
		if g.Target == u.Target {
			merged := Unit{Target: g.Target, Guest: g.Guest, Cells: append(slices.Clip(g.Cells), u.Cells...), pos: min(g.pos, u.pos)}
			merged.Cost = s.unitCost(merged)
			sh.Cost += merged.Cost - g.Cost
			sh.groups[i] = merged
			return
		}
	}
	sh.groups = append(sh.groups, u)
	sh.Cost += u.Cost
}

// longest is the index of the shard with the largest cost (the lowest
// index on ties).
func longest(shards []Shard) int {
	l := 0
	for i := range shards {
		if shards[i].Cost > shards[l].Cost {
			l = i
		}
	}
	return l
}

// split schedules units on n shards. It tries granularities — no split,
// then every unit halved until it costs at most total/n, total/2n, … down
// to total/64n — refines each (see refine), and keeps the schedule with
// the shortest longest shard, the fewest units on ties (every guest unit
// is a boot).
func (s Selection) split(units []Unit, n int) []Shard {
	var total time.Duration
	for _, u := range units {
		total += u.Cost
	}
	best, bestUnits := s.refine(units, n)
	for limit := total / time.Duration(n); limit > 0 && limit >= total/time.Duration(64*n); limit /= 2 {
		shards, count := s.refine(s.halveAbove(units, limit), n)
		if c, b := shards[longest(shards)].Cost, best[longest(best)].Cost; c < b || c == b && count < bestUnits {
			best, bestUnits = shards, count
		}
	}
	return best
}

// halveAbove halves every unit costing more than limit until none does
// (or it is a single cell).
func (s Selection) halveAbove(units []Unit, limit time.Duration) []Unit {
	var out []Unit
	todo := slices.Clone(units)
	for len(todo) > 0 {
		u := todo[0]
		todo = todo[1:]
		if u.Cost > limit {
			if a, b, ok := s.halve(u); ok {
				todo = append(todo, a, b)
				continue
			}
		}
		out = append(out, u)
	}
	return out
}

// refine schedules units, then halves units of the longest shard,
// costliest first, as long as that improves the schedule: shortens the
// longest shard, or else the next longest (shard costs compared longest
// first), which lets a guest be cut in quarters where halves do not help.
// It returns the shards and how many units they hold.
func (s Selection) refine(units []Unit, n int) ([]Shard, int) {
	shards := s.schedule(units, n)
	for {
		l := longest(shards)
		candidates := slices.Clone(shards[l].Units)
		slices.SortFunc(candidates, func(a, b Unit) int {
			if a.Cost != b.Cost {
				return compare(b.Cost, a.Cost)
			}
			return a.pos - b.pos
		})
		improved := false
		for _, u := range candidates {
			a, b, ok := s.halve(u)
			if !ok {
				continue
			}
			next := slices.DeleteFunc(slices.Clone(units), func(x Unit) bool { return x.pos == u.pos })
			next = append(next, a, b)
			if ns := s.schedule(next, n); better(ns, shards) {
				units, shards, improved = next, ns, true
				break
			}
		}
		if !improved {
			return shards, len(units)
		}
	}
}

// better reports whether schedule a beats b: its shard costs, longest
// first, are lexicographically smaller.
func better(a, b []Shard) bool {
	ca, cb := costs(a), costs(b)
	for i := range ca {
		if ca[i] != cb[i] {
			return ca[i] < cb[i]
		}
	}
	return false
}

// costs lists shard costs, longest first.
func costs(shards []Shard) []time.Duration {
	out := make([]time.Duration, len(shards))
	for i, s := range shards {
		out[i] = s.Cost
	}
	slices.SortFunc(out, func(a, b time.Duration) int { return compare(b, a) })
	return out
}

func compare(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
