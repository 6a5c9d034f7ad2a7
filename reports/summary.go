package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tracebench/tracebench/analysis"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

// Finding is one statement of a report's summary, generated from the data.
type Finding struct {
	// Topic is one of "emulation", "cost", "collateral", "support",
	// "coverage", "audit", "resolution".
	Topic string
	Text  string
	// Items are the finding's parts, when it has several (one per event).
	Items []string
}

// String is the finding as one sentence.
func (f Finding) String() string {
	if len(f.Items) == 0 {
		return f.Text
	}
	return f.Text + " " + strings.Join(f.Items, "; ") + "."
}

// Summary states what a run's data support, in words: which backend is
// cheapest per event and by how much (with the 95% CI of the difference),
// what each costs untraced syscalls, where backends do not run and why,
// coverage problems, and which results came from emulation. A figure from
// an unresolved effect is never stated as a number.
func Summary(r *results.Run) []Finding {
	x := newIndex(r)
	var out []Finding
	if emu := analysis.Emulated(r); len(emu) > 0 {
		var names []string
		for _, t := range emu {
			names = append(names, t.Name)
		}
		out = append(out, Finding{Topic: "emulation", Text: fmt.Sprintf("Measured under software emulation (qemu without KVM): %s. Absolute times there are artefacts of the emulator; only on/off ratios are reported for them.", strings.Join(names, ", "))})
	}
	for _, t := range r.Targets {
		if items := cheapest(x, t); len(items) > 0 {
			out = append(out, Finding{Topic: "cost", Text: fmt.Sprintf("On %s, per traced event:", targetName(t)), Items: items})
		}
	}
	for _, t := range r.Targets {
		if s := collateral(x, t); s != "" {
			out = append(out, Finding{Topic: "collateral", Text: s})
		}
	}
	out = append(out, support(r)...)
	out = append(out, coverage(x)...)
	out = append(out, auditOrder(r)...)
	if s := resolution(x); s != "" {
		out = append(out, Finding{Topic: "resolution", Text: s})
	}
	return out
}

// candidate is a resolved effect of one series on one event.
type candidate struct {
	series analysis.Series
	iv     analysis.Interval
}

// rank returns the resolved effects of target on ev, cheapest first, and
// how many ran but are unresolved.
func rank(x *index, t results.Target, ev event.Event, of effectOf) (ranked []candidate, unresolved int) {
	for _, s := range x.styles.series {
		c := x.ok(t.Name, s, ev)
		if c == nil || of(c) == nil {
			continue
		}
		e := of(c)
		if !e.Resolved {
			unresolved++
			continue
		}
		iv := analysis.AddedNs(e)
		if t.Host.Emulated {
			iv = analysis.Ratio(e)
		}
		ranked = append(ranked, candidate{s, iv})
	}
	slices.SortStableFunc(ranked, func(a, b candidate) int { return cmp.Compare(a.iv.Est, b.iv.Est) })
	return ranked, unresolved
}

// cheapest names, per event, the cheapest backend on t, its cost, and by
// how much the next one costs more (a lone backend is not called the
// cheapest).
func cheapest(x *index, t results.Target) []string {
	var parts []string
	emu := t.Host.Emulated
	for _, ev := range x.events {
		ranked, unresolved := rank(x, t, ev, overheadOf)
		switch {
		case len(ranked) == 0 && unresolved == 0:
			continue
		case len(ranked) == 0:
			parts = append(parts, fmt.Sprintf("%s: no backend's cost could be resolved (%d measured)", ev, unresolved))
			continue
		}
		best := ranked[0]
		s := fmt.Sprintf("%s: %s is cheapest, %s", ev, best.series, costText(best.iv, emu, "per event"))
		if len(ranked) == 1 && unresolved == 0 {
			s = fmt.Sprintf("%s: %s, the only backend measured, %s", ev, best.series, costText(best.iv, emu, "per event"))
		}
		if len(ranked) > 1 {
			next := ranked[1]
			if d := differ(best.iv, next.iv, emu); d.Significant {
				s += fmt.Sprintf("; the next, %s, %s", next.series, diffText(d, emu))
			} else {
				s += fmt.Sprintf(", but not significantly cheaper than %s (%s)", next.series, costText(next.iv, emu, "per event"))
			}
		}
		if unresolved > 0 {
			s += fmt.Sprintf("; %d more unresolved, not ranked", unresolved)
		}
		parts = append(parts, s)
	}
	return parts
}

// collateral names the backend that taxes untraced syscalls most on t.
func collateral(x *index, t results.Target) string {
	var all []candidate
	var evs []event.Event
	for _, ev := range x.events {
		ranked, _ := rank(x, t, ev, collateralOf)
		for _, c := range ranked {
			all = append(all, c)
			evs = append(evs, ev)
		}
	}
	if len(all) == 0 {
		return ""
	}
	i := 0
	for j := range all {
		if all[j].iv.Est > all[i].iv.Est {
			i = j
		}
	}
	what := "time added to each untraced getuid()"
	if t.Host.Emulated {
		what = "slowdown of untraced getuid() calls"
	}
	return fmt.Sprintf("On %s, the largest collateral cost (%s) is %s's: %s while it traces %s.",
		targetName(t), what, all[i].series, costText(all[i].iv, t.Host.Emulated, "per call"), evs[i])
}

// support says, per backend, where it does not run and why.
func support(r *results.Run) []Finding {
	m := analysis.Portability(r)
	var out []Finding
	for j, b := range analysis.Backends(r) {
		var parts []string
		for i := range r.Targets {
			s := m[i][j]
			if s.Level() == analysis.Runs {
				continue
			}
			var why []string
			for _, g := range s.Reasons {
				label := reasonLabel(g)
				if string(g.Status) == string(s.Level()) {
					label = g.Class // the level already says the status
				}
				if s.OK > 0 {
					label += " on " + strings.Join(g.Cells, ", ")
				}
				why = append(why, label+": "+short(g.Detail, 110))
			}
			level := string(s.Level())
			if s.Level() == analysis.Partial {
				level = fmt.Sprintf("runs %d of %d cells", s.OK, s.Total)
			}
			parts = append(parts, fmt.Sprintf("%s on %s (%s)", level, s.Target, strings.Join(why, "; ")))
		}
		if len(parts) > 0 {
			out = append(out, Finding{Topic: "support", Text: b + ":", Items: parts})
		}
	}
	if len(out) == 0 && len(r.Cells) > 0 {
		out = append(out, Finding{Topic: "support", Text: "Every backend ran every cell on every target."})
	}
	return out
}

// maxCoverageFindings bounds the coverage problems listed one by one.
const maxCoverageFindings = 8

// coverage lists cells that lost, missed or mangled events.
func coverage(x *index) []Finding {
	var out []Finding
	clean := 0
	for _, c := range x.run.Cells {
		cov := c.Coverage
		switch analysis.StateOf(c) {
		case analysis.Complete:
			clean++
		case analysis.Invalid:
			out = append(out, Finding{Topic: "coverage", Text: fmt.Sprintf("%s %s on %s: %s of %s %s events seen carried wrong values (invalid: read with another kernel's types?); the cell failed.",
				c.Backend, c.Mode, c.Target, Count(cov.Invalid), Count(cov.Seen), c.Event)})
		case analysis.Unexplained:
			verb := fmt.Sprintf("missed %s of %s %s events without counting them", Count(cov.Unexplained), Count(cov.Produced), c.Event)
			if cov.Unexplained < 0 {
				verb = fmt.Sprintf("saw %s %s events more than the workload produced", Count(-cov.Unexplained), c.Event)
			}
			out = append(out, Finding{Topic: "coverage", Text: fmt.Sprintf("%s %s on %s %s (unexplained).", c.Backend, c.Mode, c.Target, verb)})
		case analysis.Lost:
			out = append(out, Finding{Topic: "coverage", Text: fmt.Sprintf("%s %s on %s lost %s of %s %s events (%s), counted by the backend.",
				c.Backend, c.Mode, c.Target, Count(cov.Lost), Count(cov.Produced), c.Event, share(cov.Lost, cov.Produced))})
		}
	}
	if len(out) > maxCoverageFindings {
		n := len(out) - maxCoverageFindings
		out = append(out[:maxCoverageFindings], Finding{Topic: "coverage", Text: fmt.Sprintf("…and %d more cells with coverage problems (see the coverage chart).", n)})
	}
	if clean > 0 {
		out = append(out, Finding{Topic: "coverage", Text: fmt.Sprintf("%d cells saw exactly the events their workload produced.", clean)})
	}
	return out
}

// resolution counts the overhead effects the measurement could not resolve.
func resolution(x *index) string {
	total, unresolved := 0, map[event.Event]int{}
	n := 0
	for _, c := range x.run.Cells {
		if c.Status != results.OK || c.Overhead == nil {
			continue
		}
		total++
		if !c.Overhead.Resolved {
			unresolved[c.Event]++
			n++
		}
	}
	if n == 0 {
		return ""
	}
	var by []string
	for _, ev := range x.events {
		if k := unresolved[ev]; k > 0 {
			by = append(by, fmt.Sprintf("%s %d", ev, k))
		}
	}
	return fmt.Sprintf("%d of %d overhead effects could not be resolved (not significant, interval spanning zero, or below the noise floor) and are shown as unresolved, not as numbers: %s.",
		n, total, strings.Join(by, ", "))
}

func targetName(t results.Target) string {
	s := fmt.Sprintf("%s (Linux %s, %s", t.Name, t.Host.KernelRelease, t.Host.Arch)
	if t.Host.Emulated {
		s += ", emulated"
	}
	return s + ")"
}

// differ is how much more b costs than a: ns, or a ratio of slowdowns
// under emulation.
func differ(a, b analysis.Interval, emu bool) analysis.Difference {
	if emu {
		return analysis.DiffRatio(a, b)
	}
	return analysis.Diff(a, b)
}

// costText prints a resolved cost with its 95% interval: ns per unit, or
// the on/off ratio under emulation.
func costText(iv analysis.Interval, emu bool, per string) string {
	if emu {
		return fmt.Sprintf("a slowdown of ×%.3f [%.3f, %.3f]", iv.Est, iv.Lo, iv.Hi)
	}
	return fmt.Sprintf("%s %s [%s, %s]", signedNs(iv.Est), per, signedNs(iv.Lo), signedNs(iv.Hi))
}

// diffText says how much more the next backend costs: a significant
// difference with its 95% interval.
func diffText(d analysis.Difference, emu bool) string {
	if emu {
		return fmt.Sprintf("runs it ×%.3f [%.3f, %.3f] slower still", d.Value, d.Lo, d.Hi)
	}
	return fmt.Sprintf("costs %s [%s, %s] more", signedNs(d.Value), signedNs(d.Lo), signedNs(d.Hi))
}
