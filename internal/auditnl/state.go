package auditnl

import (
	"errors"
	"fmt"
)

// ErrStateDiffers is the class of Verify and Restore failures: the audit
// configuration is not what the snapshot recorded.
var ErrStateDiffers = errors.New("audit configuration differs from the snapshot")

// State is the audit configuration a measurement may change: the settable
// status fields and the loaded rules. Take it before changing anything,
// restore it afterwards and verify that nothing was left behind.
type State struct {
	Status Status
	Rules  []Rule
}

// Snapshot records the current audit configuration.
func (c *Conn) Snapshot() (State, error) {
	st, err := c.Status()
	if err != nil {
		return State{}, err
	}
	rules, err := c.ListRules()
	if err != nil {
		return State{}, err
	}
	return State{Status: st, Rules: rules}, nil
}

// restorable are the status fields Restore puts back; the daemon pid is not
// one of them, since only the daemon itself can register.
const restorable = MaskFailure | MaskRateLimit | MaskBacklogLimit | MaskBacklogWaitTime

// Restore deletes loaded rules that are not in s, adds back rules of s that
// are missing, and resets enabled, failure, rate limit and backlog settings
// to s. Disabling audit is always allowed; re-enabling it is allowed only if
// s has it enabled (then audit_ever_enabled was already set before the
// snapshot, so nothing new is lost). A daemon registered since the snapshot
// must be stopped by its owner first: Restore reports it but cannot
// unregister it. It returns the first error but tries every step.
func (c *Conn) Restore(s State) error {
	var errs []error
	loaded, err := c.ListRules()
	if err != nil {
		return err
	}
	for _, r := range loaded {
		if !containsRule(s.Rules, r) {
			errs = append(errs, c.DeleteRule(r))
		}
	}
	for _, r := range s.Rules {
		if !containsRule(loaded, r) {
			errs = append(errs, c.AddRule(r))
		}
	}
	now, err := c.Status()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if now.Enabled != s.Status.Enabled {
		if s.Status.Enabled == 1 {
			c.PermitEnable()
		}
		errs = append(errs, c.SetStatus(s.Status, MaskEnabled))
	}
	errs = append(errs, c.SetStatus(s.Status, restorable))
	if now.PID != s.Status.PID {
		errs = append(errs, fmt.Errorf("%w: audit daemon pid %d, was %d", ErrStateDiffers, now.PID, s.Status.PID))
	}
	return errors.Join(errs...)
}

// Verify reports how the current audit configuration differs from s, or nil
// if it is the same: the settable status fields, the daemon pid and the rule
// list, compared by wire form and order.
func (c *Conn) Verify(s State) error {
	now, err := c.Snapshot()
	if err != nil {
		return err
	}
	var diffs []error
	a, b := s.Status, now.Status
	for _, f := range []struct {
		name    string
		was, is uint32
	}{
		{"enabled", a.Enabled, b.Enabled}, {"failure", a.Failure, b.Failure}, {"pid", a.PID, b.PID},
		{"rate_limit", a.RateLimit, b.RateLimit}, {"backlog_limit", a.BacklogLimit, b.BacklogLimit},
		{"backlog_wait_time", a.BacklogWaitTime, b.BacklogWaitTime},
	} {
		if f.was != f.is {
			diffs = append(diffs, fmt.Errorf("%w: %s is %d, was %d", ErrStateDiffers, f.name, f.is, f.was))
		}
	}
	if len(now.Rules) != len(s.Rules) {
		diffs = append(diffs, fmt.Errorf("%w: %d rules loaded, %d before", ErrStateDiffers, len(now.Rules), len(s.Rules)))
	} else {
		for i := range now.Rules {
			if !now.Rules[i].Equal(s.Rules[i]) {
				diffs = append(diffs, fmt.Errorf("%w: rule %d is %v, was %v", ErrStateDiffers, i, now.Rules[i], s.Rules[i]))
			}
		}
	}
	return errors.Join(diffs...)
}

func containsRule(rules []Rule, r Rule) bool {
	for _, o := range rules {
		if o.Equal(r) {
			return true
		}
	}
	return false
}
