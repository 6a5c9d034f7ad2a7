package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Classes of merge errors, for errors.Is; the messages name the inputs and
// the cell, target or field at fault.
var (
	// ErrNotShard: an input has no plan (it was not run with --shard).
	ErrNotShard = errors.New("not a shard of a plan")
	// ErrPlanMismatch: inputs are shards of different plans.
	ErrPlanMismatch = errors.New("shards of different plans")
	// ErrDuplicate: the same results given twice (same cell, same content,
	// or the same shard twice).
	ErrDuplicate = errors.New("duplicate results")
	// ErrConflict: the same cell measured twice with different results, or
	// inputs that cannot be one run (other tracebench version, other
	// configuration, one target measured on machines that differ).
	ErrConflict = errors.New("conflicting results")
)

// Input is one run to merge and the name errors call it by (its directory).
type Input struct {
	Name string
	Run  *Run
}

// Merge joins shards of one plan (or earlier merges of some of them) into
// one run: every cell once, in plan order, each keeping the machine that
// measured it. Cells that no input has stay missing (see Missing).
//
// A target measured by several shards on several machines is one target
// only if the machines' facts are identical but for the hostname (runners
// of one pool): Target.Machines then lists them. Facts of a guest that
// never booted (no kernel release) give way to those of one that did.
func Merge(inputs []Input) (*Run, error) {
	if len(inputs) == 0 {
		return nil, errors.New("merge: no results to merge")
	}
	first := inputs[0]
	for _, in := range inputs {
		if err := compatible(first, in); err != nil {
			return nil, err
		}
	}
	plan := first.Run.Config.Plan
	order := make(map[Key]int, len(plan.Cells))
	for i, c := range plan.Cells {
		order[c.Key()] = i
	}
	m := merger{cells: map[Key]int{}, from: map[Key]string{}, targets: map[string]*mergedTarget{}, shards: map[int]string{}}
	for _, in := range inputs {
		if err := m.add(in); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(m.out, func(a, b Cell) int { return order[a.Key()] - order[b.Key()] })

	out := &Run{
		SchemaVersion: SchemaVersion,
		Tracebench:    first.Run.Tracebench,
		Config:        first.Run.Config,
		Cells:         m.out,
	}
	merged := *plan
	merged.Shard = 0
	merged.Merged = nil
	for s := range m.shards {
		merged.Merged = append(merged.Merged, s)
	}
	slices.Sort(merged.Merged)
	out.Config.Plan = &merged
	out.Config.Targets = nil
	for _, c := range plan.Cells { // targets in plan order
		if t, ok := m.targets[c.Target]; ok && !slices.Contains(out.Config.Targets, c.Target) {
			out.Config.Targets = append(out.Config.Targets, c.Target)
			out.Targets = append(out.Targets, t.target())
		}
	}
	for _, in := range inputs {
		r := in.Run
		if out.Started.IsZero() || r.Started.Before(out.Started) {
			out.Started, out.RunID = r.Started, r.RunID
		}
		if r.Finished.After(out.Finished) {
			out.Finished = r.Finished
		}
	}
	if len(Missing(out)) > 0 { // not finished: resume or rerun a shard, merge again
		out.Finished = time.Time{}
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("merge: the merged run is invalid: %w", err)
	}
	return out, nil
}

// compatible checks that in can be merged with first: both shards of the
// same plan, measured by the same tracebench with the same configuration.
func compatible(first, in Input) error {
	r, p := in.Run, in.Run.Config.Plan
	switch {
	case r.SchemaVersion != SchemaVersion:
		return fmt.Errorf("%s: %w: schema_version %d, this tracebench merges %d", in.Name, ErrVersion, r.SchemaVersion, SchemaVersion)
	case p == nil:
		return fmt.Errorf("%s: %w: its results record no plan (run it with tracebench run --shard i/N)", in.Name, ErrNotShard)
	}
	fp := first.Run.Config.Plan
	if p.ID != fp.ID || p.Shards != fp.Shards || !slices.Equal(p.Cells, fp.Cells) {
		return fmt.Errorf("%w: %s is a shard of plan %s (%d shards), %s of plan %s (%d shards): plan and run them with the same selection, budgets and tracebench",
			ErrPlanMismatch, first.Name, fp.ID, fp.Shards, in.Name, p.ID, p.Shards)
	}
	if r.Tracebench != first.Run.Tracebench {
		return fmt.Errorf("%w: %s was measured by tracebench %s, %s by tracebench %s", ErrConflict, first.Name, first.Run.Tracebench, in.Name, r.Tracebench)
	}
	if d := configDiff(first.Run.Config, r.Config); len(d) > 0 {
		return fmt.Errorf("%w: %s and %s were run with different configurations (config.%s)", ErrConflict, first.Name, in.Name, strings.Join(d, ", config."))
	}
	return nil
}

// configDiff names the configuration fields that differ, leaving out what
// differs between shards by design: the targets each ran, the shard, and
// the workload CPU (a fact of each machine).
func configDiff(a, b Config) []string {
	norm := func(c Config) map[string]json.RawMessage {
		c.Targets, c.Plan, c.WorkloadCPU = nil, nil, 0
		raw, _ := json.Marshal(c)
		var m map[string]json.RawMessage
		json.Unmarshal(raw, &m)
		return m
	}
	ma, mb := norm(a), norm(b)
	var out []string
	for k, v := range ma {
		if !bytes.Equal(v, mb[k]) {
			out = append(out, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

type merger struct {
	out     []Cell
	cells   map[Key]int    // index in out
	from    map[Key]string // input name
	targets map[string]*mergedTarget
	shards  map[int]string // shard → input name
}

func (m *merger) add(in Input) error {
	r := in.Run
	hosts := map[string]Host{}
	for _, t := range r.Targets {
		hosts[t.Name] = t.Host
		if err := m.addTarget(in.Name, t); err != nil {
			return err
		}
	}
	for _, c := range r.Cells {
		if c.Machine == "" { // results written before cells named their machine
			c.Machine = hosts[c.Target].Machine
		}
		k := c.Key()
		if i, dup := m.cells[k]; dup {
			if sameCell(m.out[i], c) {
				return fmt.Errorf("%w: cell %s %s %s %s is in both %s and %s (the same results given twice?)", ErrDuplicate, c.Target, c.Backend, c.Mode, c.Event, m.from[k], in.Name)
			}
			return fmt.Errorf("%w: cell %s %s %s %s was measured twice: %s has %s, %s has %s; keep one of them",
				ErrConflict, c.Target, c.Backend, c.Mode, c.Event, m.from[k], describeCell(m.out[i]), in.Name, describeCell(c))
		}
		m.cells[k], m.from[k] = len(m.out), in.Name
		m.out = append(m.out, c)
	}
	p := r.Config.Plan
	covered := p.Merged
	if p.Shard > 0 {
		covered = []int{p.Shard}
	}
	for _, s := range covered {
		if prev, dup := m.shards[s]; dup {
			return fmt.Errorf("%w: shard %s is in both %s and %s", ErrDuplicate, ShardName(s, p.Shards), prev, in.Name)
		}
		m.shards[s] = in.Name
	}
	return nil
}

func sameCell(a, b Cell) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func describeCell(c Cell) string {
	s := fmt.Sprintf("%s measured %s on %s", c.Status, c.Started.Format(time.RFC3339), orUnknown(c.Machine))
	if c.Reason != nil {
		s += " (" + c.Reason.Class + ")"
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "an unnamed machine"
	}
	return s
}

// mergedTarget is a target's facts and the machines that measured it.
type mergedTarget struct {
	t        Target
	from     string
	machines []string
}

func (m *merger) addTarget(from string, t Target) error {
	machines := t.Machines
	if t.Host.Machine != "" {
		machines = append(slices.Clone(machines), t.Host.Machine)
	}
	mt, ok := m.targets[t.Name]
	if !ok {
		m.targets[t.Name] = &mergedTarget{t: t, from: from, machines: machines}
		return nil
	}
	mt.machines = append(mt.machines, machines...)
	switch {
	case t.Host.KernelRelease == "": // never reached: nothing to compare
		return nil
	case mt.t.Host.KernelRelease == "":
		mt.t, mt.from = t, from
		return nil
	}
	if d := hostDiff(mt.t.Host, t.Host); len(d) > 0 {
		return fmt.Errorf("%w: target %s was measured by %s on %s and by %s on %s, machines that differ in %s: cells of one target must come from one kind of machine",
			ErrConflict, t.Name, mt.from, orUnknown(mt.t.Host.Machine), from, orUnknown(t.Host.Machine), strings.Join(d, ", "))
	}
	return nil
}

func (mt *mergedTarget) target() Target {
	t := mt.t
	slices.Sort(mt.machines)
	ms := slices.Compact(mt.machines)
	t.Host.Machine, t.Machines = "", nil
	switch len(ms) {
	case 0:
	case 1:
		t.Host.Machine = ms[0]
	default:
		t.Machines = ms
	}
	return t
}

// hostDiff names the facts (JSON names) in which a and b differ, the
// machine's name aside.
func hostDiff(a, b Host) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		name, _, _ := strings.Cut(va.Type().Field(i).Tag.Get("json"), ",")
		if name != "machine" && !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, fmt.Sprintf("%s (%v vs %v)", name, va.Field(i).Interface(), vb.Field(i).Interface()))
		}
	}
	return out
}
