// Package plan splits a run — every (target, backend, mode, event) cell of
// a selection — into shards that independent machines run: the jobs of a
// CI matrix, the pods of a Kubernetes Indexed Job. `tracebench run --shard
// i/N` measures one shard and `tracebench merge` joins them again.
//
// The split is a pure function of the selection and the budgets: the same
// command line gives the same shards on any machine, whatever its CPUs,
// its map iteration order or the time. Nothing is probed: costs come from
// the model in cost.go, not from the machine that plans.
package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tracebench/tracebench/results"
)

// Plan is a run split into shards.
type Plan struct {
	// ID is a digest of every cell and its shard: shards of the same plan
	// share it, and it changes when the split does.
	ID     string
	Shards []Shard
	// cells in canonical order (targets, backends, modes, events as
	// selected), with their shard.
	cells []results.PlanCell
}

// Shard is one part of a plan: whole units (see Unit), run by one machine.
type Shard struct {
	Index, Count int // Index is 1 to Count
	Units        []Unit
	// Cost is the expected time of the shard under the cost model.
	Cost time.Duration
	// groups are the shard's units merged by target: what it runs together.
	groups []Unit
}

// Name is "i/N", as --shard takes it.
func (s Shard) Name() string { return results.ShardName(s.Index, s.Count) }

// Cells lists the shard's cells in canonical order.
func (s Shard) Cells() []results.Key {
	units := slices.Clone(s.Units)
	slices.SortFunc(units, func(a, b Unit) int { return a.pos - b.pos })
	var out []results.Key
	for _, u := range units {
		out = append(out, u.Cells...)
	}
	return out
}

// Groups are the shard's cells by target, in canonical order: what the
// shard runs together (one boot per guest).
func (s Shard) Groups() []Unit {
	out := slices.Clone(s.groups)
	slices.SortFunc(out, func(a, b Unit) int { return a.pos - b.pos })
	return out
}

// Targets lists the targets the shard has cells on, in canonical order.
func (s Shard) Targets() []string {
	var out []string
	for _, k := range s.Cells() {
		if !slices.Contains(out, k.Target) {
			out = append(out, k.Target)
		}
	}
	return out
}

// Boots is how many guests the shard boots: one per guest target.
func (s Shard) Boots() int {
	n := 0
	for _, g := range s.groups {
		if g.Guest {
			n++
		}
	}
	return n
}

// Cells lists every cell of the plan in canonical order.
func (p *Plan) Cells() []results.Key {
	out := make([]results.Key, len(p.cells))
	for i, c := range p.cells {
		out[i] = c.Key()
	}
	return out
}

// Shard returns shard i (1-based) of p.
func (p *Plan) Shard(i int) (Shard, error) {
	if i < 1 || i > len(p.Shards) {
		return Shard{}, fmt.Errorf("%w: shard %d of a plan with %d shards", ErrShard, i, len(p.Shards))
	}
	return p.Shards[i-1], nil
}

// Record is what the results of shard i record: the whole plan, so that a
// merge can tell which cells are missing (see results.Plan).
func (p *Plan) Record(i int) *results.Plan {
	return &results.Plan{ID: p.ID, Shards: len(p.Shards), Shard: i, Cells: slices.Clone(p.cells)}
}

// Cost is the expected time of the whole plan, every shard one after
// another.
func (p *Plan) Cost() time.Duration {
	var total time.Duration
	for _, s := range p.Shards {
		total += s.Cost
	}
	return total
}

// ErrShard is returned (wrapped) for a shard that is not "i/N" with
// 1 ≤ i ≤ N.
var ErrShard = errors.New("invalid shard")

// ParseShard parses "i/N".
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, erri := strconv.Atoi(a)
	n, errn := strconv.Atoi(b)
	if !ok || erri != nil || errn != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("%w %q: want i/N with 1 ≤ i ≤ N, e.g. 2/4", ErrShard, s)
	}
	return i, n, nil
}

// id digests the cells and their shards.
func id(n int, cells []results.PlanCell) string {
	h := sha256.New()
	fmt.Fprintf(h, "shards %d\n", n)
	for _, c := range cells {
		fmt.Fprintf(h, "%d\t%s\t%s\t%s\t%s\n", c.Shard, c.Target, c.Backend, c.Mode, c.Event)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Summary writes a table of the shards for people: what each runs and its
// expected time.
func (p *Plan) Summary(w io.Writer) {
	var cells int
	var max time.Duration
	for _, s := range p.Shards {
		cells += len(s.Cells())
		max = cmpMax(max, s.Cost)
	}
	fmt.Fprintf(w, "plan %s: %d cells in %d shards, expected %s in all, %s for the longest shard\n",
		p.ID, cells, len(p.Shards), round(p.Cost()), round(max))
	for _, s := range p.Shards {
		var parts []string
		for _, g := range s.Groups() {
			parts = append(parts, fmt.Sprintf("%s (%d cells)", g.Target, len(g.Cells)))
		}
		fmt.Fprintf(w, "  shard %-5s %4d cells  ~%-8s %s\n", s.Name(), len(s.Cells()), round(s.Cost), strings.Join(parts, "; "))
	}
}

func round(d time.Duration) time.Duration { return d.Round(time.Second) }

func cmpMax(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
