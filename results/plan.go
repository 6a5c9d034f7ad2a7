package results

import (
	"fmt"
	"slices"

	"github.com/tracebench/tracebench/event"
)

// Plan is recorded in the results of a run that is one shard of a plan
// (`tracebench run --shard i/N`) and in the merge of such shards: the whole
// plan, every cell with the shard that runs it, so that a merge knows which
// cells are missing even when a shard never reported.
type Plan struct {
	// ID identifies the plan: a digest of its cells and their shards.
	// Shards of one run share it.
	ID     string `json:"id"`
	Shards int    `json:"shards"`
	// Shard is the shard this run measured, 1 to Shards; 0 in a merge.
	Shard int `json:"shard,omitempty"`
	// Merged are the shards a merge joined, ascending.
	Merged []int      `json:"merged,omitempty"`
	Cells  []PlanCell `json:"cells"`
}

// PlanCell is one cell of a plan and the shard that measures it.
type PlanCell struct {
	Target  string      `json:"target"`
	Backend string      `json:"backend"`
	Mode    string      `json:"mode"`
	Event   event.Event `json:"event"`
	Shard   int         `json:"shard"`
}

// Key returns the planned cell's key.
func (c PlanCell) Key() Key { return Key{c.Target, c.Backend, c.Mode, c.Event} }

// ShardName is "i/N", as on the command line.
func ShardName(i, n int) string { return fmt.Sprintf("%d/%d", i, n) }

// Has reports whether the run covers shard i: it is that shard, or a merge
// that joined it.
func (p *Plan) Has(i int) bool { return p.Shard == i || slices.Contains(p.Merged, i) }

// validate checks the plan itself and that every cell of the run belongs
// to a shard the run covers.
func (p *Plan) validate(cells []Cell) error {
	switch {
	case p.ID == "":
		return fmt.Errorf("config.plan.id is empty")
	case p.Shards < 1:
		return fmt.Errorf("config.plan.shards is %d, want at least 1", p.Shards)
	case p.Shard < 0 || p.Shard > p.Shards:
		return fmt.Errorf("config.plan.shard is %d, want 1 to %d (or 0 in a merge)", p.Shard, p.Shards)
	case p.Shard > 0 && len(p.Merged) > 0:
		return fmt.Errorf("config.plan: a shard (%d) cannot also list merged shards", p.Shard)
	}
	for i, m := range p.Merged {
		if m < 1 || m > p.Shards || i > 0 && m <= p.Merged[i-1] {
			return fmt.Errorf("config.plan.merged %v: want ascending shards from 1 to %d", p.Merged, p.Shards)
		}
	}
	shardOf := make(map[Key]int, len(p.Cells))
	for i, c := range p.Cells {
		if c.Shard < 1 || c.Shard > p.Shards {
			return fmt.Errorf("config.plan.cells[%d]: shard %d, want 1 to %d", i, c.Shard, p.Shards)
		}
		if _, dup := shardOf[c.Key()]; dup {
			return fmt.Errorf("config.plan.cells[%d] (%s %s %s %s) is planned twice", i, c.Target, c.Backend, c.Mode, c.Event)
		}
		shardOf[c.Key()] = c.Shard
	}
	for i, c := range cells {
		s, ok := shardOf[c.Key()]
		switch {
		case !ok:
			return fmt.Errorf("cells[%d] (%s %s %s %s) is not in plan %s", i, c.Target, c.Backend, c.Mode, c.Event, p.ID)
		case !p.Has(s):
			return fmt.Errorf("cells[%d] (%s %s %s %s) belongs to shard %s of plan %s, which this run does not cover", i, c.Target, c.Backend, c.Mode, c.Event, ShardName(s, p.Shards), p.ID)
		}
	}
	return nil
}

// Missing returns the planned cells of r's shards that r has no result
// for, in plan order; nil for a run without a plan. A merge lists every
// planned cell of a shard that never reported (it covers no such shard,
// but the shard's cells are still missing from the whole).
func Missing(r *Run) []PlanCell {
	p := r.Config.Plan
	if p == nil {
		return nil
	}
	have := make(map[Key]bool, len(r.Cells))
	for _, c := range r.Cells {
		have[c.Key()] = true
	}
	var out []PlanCell
	for _, c := range p.Cells {
		if !have[c.Key()] && (p.Shard == 0 || c.Shard == p.Shard) {
			out = append(out, c)
		}
	}
	return out
}
