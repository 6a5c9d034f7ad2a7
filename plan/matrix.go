package plan

import (
	"strings"
)

// Matrix is a plan as a CI job matrix: GitHub Actions takes it as is
// (strategy.matrix: ${{ fromJSON(...) }}), one job per entry. It has no
// other top-level key, since every other key would be a matrix dimension.
type Matrix struct {
	Include []MatrixEntry `json:"include"`
}

// MatrixEntry is one shard's job.
type MatrixEntry struct {
	// Shard is "i/N", for `tracebench run --shard`.
	Shard string `json:"shard"`
	// Index is i alone, for names of directories and artifacts.
	Index int `json:"index"`
	// Plan is the plan's ID, for `tracebench run --plan-id`: a shard job
	// whose own plan differs (other flags, other tracebench) refuses to run.
	Plan  string `json:"plan"`
	Cells int    `json:"cells"`
	// Targets are the targets the shard runs cells on, space-separated.
	Targets string `json:"targets"`
	// Boots is how many guests the shard boots: 0 means it needs no
	// kernel, qemu or kernel cache.
	Boots int `json:"boots"`
	// Estimate is the shard's expected time under the cost model.
	Estimate string `json:"estimate"`
}

// Matrix returns the plan as a CI job matrix, one entry per shard (an
// empty shard too: its job records that it had nothing to run).
func (p *Plan) Matrix() Matrix {
	m := Matrix{Include: []MatrixEntry{}}
	for _, s := range p.Shards {
		m.Include = append(m.Include, MatrixEntry{
			Shard: s.Name(), Index: s.Index, Plan: p.ID, Cells: len(s.Cells()),
			Targets: strings.Join(s.Targets(), " "), Boots: s.Boots(), Estimate: round(s.Cost).String(),
		})
	}
	return m
}
