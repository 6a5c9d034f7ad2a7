package hpc

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/perfevent"
)

// counting is count mode: per event a counter on its tracepoint, and the
// hardware counters, all opened at each attach and added up at each
// detach, so that attaching costs what perf_event_open costs.
type counting struct {
	events []event.Event
	points map[event.Event]perfevent.Event
	hw     []perfevent.Event // the counters the PMU has

	// While attached.
	tps   map[event.Event]*perfevent.Counter
	hwCtr []*perfevent.Counter

	// Totals over the periods detached so far.
	seen    map[event.Event]uint64
	hwTotal []perfevent.Count

	// BPF programs found on the same tracepoints at an attach or a detach
	// (see shadowingLinks), or why they could not be looked for.
	shadows map[string]bool
}

// newCounting resolves the tracepoints of s.Events and finds which of the
// hardware counters the PMU has, opening each once in the cgroup.
func newCounting(s backends.Setup, task perfevent.Task, res backends.SetupResult) (*counting, error) {
	c := &counting{events: s.Events, points: map[event.Event]perfevent.Event{}, seen: map[event.Event]uint64{}, shadows: map[string]bool{}}
	for _, ev := range s.Events {
		p, ok := backends.Tracepoints[ev]
		if !ok {
			return nil, backends.Unsupportedf(backends.NotApplicable, "no tracepoint for %s", ev)
		}
		tp, err := perfevent.Tracepoint(p.Group, p.Name)
		if err == nil {
			err = probeEvent(tp, task)
		}
		if err != nil {
			return nil, err
		}
		c.points[ev] = tp
		res.ProbePoints[ev] = tp.Name
	}
	want, err := parseCounters(s.Options)
	if err != nil {
		return nil, err
	}
	var missing []string
	var first error
	for _, ev := range want {
		err := probeEvent(ev, task)
		switch {
		case err == nil:
			c.hw = append(c.hw, ev)
		case errors.Is(err, perfevent.ErrNoPMU), errors.Is(err, perfevent.ErrNoHardwareEvent):
			missing = append(missing, ev.Name)
			first = cmpErr(first, err)
		default:
			return nil, err
		}
	}
	if len(c.hw) == 0 {
		return nil, fmt.Errorf("none of the counters %s can count here: %w", names(want), first)
	}
	c.hwTotal = make([]perfevent.Count, len(c.hw))
	res.Facts["hpc_counters"] = names(c.hw)
	if len(missing) > 0 {
		res.Facts["hpc_unavailable"] = strings.Join(missing, ",") + ": " + first.Error()
	}
	return c, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func names(evs []perfevent.Event) string {
	s := make([]string, len(evs))
	for i, ev := range evs {
		s[i] = ev.Name
	}
	return strings.Join(s, ",")
}

func (c *counting) attach(task perfevent.Task) error {
	if c.tps != nil {
		return errors.New("already attached")
	}
	c.tps = map[event.Event]*perfevent.Counter{}
	all := []*perfevent.Counter{}
	for _, ev := range c.events {
		ctr, err := perfevent.OpenCounter(c.points[ev], task)
		if err != nil {
			c.close()
			return err
		}
		c.tps[ev] = ctr
		all = append(all, ctr)
	}
	for _, ev := range c.hw {
		ctr, err := perfevent.OpenCounter(ev, task)
		if err != nil {
			c.close()
			return err
		}
		c.hwCtr = append(c.hwCtr, ctr)
		all = append(all, ctr)
	}
	for _, ctr := range all {
		if err := ctr.Enable(); err != nil {
			c.close()
			return err
		}
	}
	c.lookForShadows()
	return nil
}

// lookForShadows notes the BPF programs on the counted tracepoints.
func (c *counting) lookForShadows() {
	points := map[string]string{}
	for _, tp := range c.points {
		_, name, _ := strings.Cut(tp.Name, ":")
		points[name] = tp.Name
	}
	found, err := shadowingLinks(points)
	for _, s := range found {
		c.shadows[s] = true
	}
	if err != nil {
		c.shadows[err.Error()] = true
	}
}

// detach stops the counters, adds their counts to the totals and closes
// them.
func (c *counting) detach() error {
	if c.tps == nil {
		return nil
	}
	c.lookForShadows()
	var errs []error
	for _, ctr := range c.tps {
		errs = append(errs, ctr.Disable())
	}
	for _, ctr := range c.hwCtr {
		errs = append(errs, ctr.Disable())
	}
	seen, hw, err := c.read()
	errs = append(errs, err)
	if err == nil {
		c.seen, c.hwTotal = seen, hw
	}
	c.close()
	return errors.Join(errs...)
}

// read returns the totals including the attached counters' counts.
func (c *counting) read() (map[event.Event]uint64, []perfevent.Count, error) {
	seen := map[event.Event]uint64{}
	for ev, n := range c.seen {
		seen[ev] = n
	}
	hw := append([]perfevent.Count(nil), c.hwTotal...)
	for ev, ctr := range c.tps {
		v, err := ctr.Read()
		if err != nil {
			return nil, nil, err
		}
		seen[ev] += v.Value
	}
	for i, ctr := range c.hwCtr {
		v, err := ctr.Read()
		if err != nil {
			return nil, nil, err
		}
		hw[i].Value += v.Value
		hw[i].Enabled += v.Enabled
		hw[i].Running += v.Running
	}
	return seen, hw, nil
}

func (c *counting) close() {
	for _, ctr := range c.tps {
		ctr.Close()
	}
	for _, ctr := range c.hwCtr {
		ctr.Close()
	}
	c.tps, c.hwCtr = nil, nil
}

// counters reports the tracepoint counts as seen, and the hardware counts
// as totals, each scaled when the PMU multiplexed it (a fact then says by
// how much).
func (c *counting) counters() (map[event.Event]backends.Counter, error) {
	seen, hw, err := c.read()
	if err != nil {
		return nil, err
	}
	totals := map[string]uint64{}
	facts := map[string]string{}
	var multiplexed []string
	for i, ev := range c.hw {
		totals[ev.Name] = hw[i].Scaled()
		if hw[i].Multiplexed() {
			multiplexed = append(multiplexed, fmt.Sprintf("%s (on a counter %.1f%% of the time)", ev.Name, 100*float64(hw[i].Running)/float64(hw[i].Enabled)))
		}
	}
	if len(multiplexed) > 0 {
		facts["hpc_multiplexed"] = strings.Join(multiplexed, ",")
	}
	if len(c.shadows) > 0 {
		facts["shadowed_by_bpf"] = strings.Join(slices.Sorted(maps.Keys(c.shadows)), "; ")
	}
	out := map[event.Event]backends.Counter{}
	for _, ev := range c.events {
		out[ev] = backends.Counter{Seen: seen[ev], Totals: totals, Facts: facts}
	}
	return out, nil
}
