package plan

import (
	"fmt"

	"github.com/tracebench/tracebench/results"
)

// New plans the selection in n shards: one unit per target to begin with,
// halved while that shortens the longest shard (see Unit), scheduled
// longest first. Shards may be empty when there are fewer units than
// shards.
func New(sel Selection, n int) (*Plan, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w: %d shards, want at least 1", ErrShard, n)
	}
	if err := sel.validate(); err != nil {
		return nil, err
	}
	if sel.GuestBudget == 0 {
		sel.GuestBudget = sel.CellBudget // as the harness does
	}
	cells, err := sel.Cells()
	if err != nil {
		return nil, err
	}
	var units []Unit
	pos := 0
	for _, t := range sel.Targets {
		u := Unit{Target: t.Name, Guest: !t.Host(), pos: pos}
		for pos < len(cells) && cells[pos].Target == t.Name {
			u.Cells = append(u.Cells, cells[pos])
			pos++
		}
		if len(u.Cells) > 0 {
			u.Cost = sel.unitCost(u)
			units = append(units, u)
		}
	}
	p := &Plan{Shards: sel.split(units, n)}
	shardOf := map[results.Key]int{}
	for _, s := range p.Shards {
		for _, k := range s.Cells() {
			shardOf[k] = s.Index
		}
	}
	for _, k := range cells {
		p.cells = append(p.cells, results.PlanCell{Target: k.Target, Backend: k.Backend, Mode: k.Mode, Event: k.Event, Shard: shardOf[k]})
	}
	p.ID = id(n, p.cells)
	return p, nil
}
