package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/auditnl"
)

// session is one Setup's observation. It holds the machine's audit lock
// (auditnl.Lock) from Setup to Teardown: the audit configuration is
// global, and another measurement changing it meanwhile would be counted
// in this one.
type session struct {
	unlock   func() error
	c        *auditnl.Conn
	found    auditnl.State
	ev       event.Event
	key      string
	nrs      []int
	rule     auditnl.Rule
	recv     Receiver
	started  bool
	attached bool
	// lostAt is the kernel's lost counter at the last Attach; lostRecords
	// adds up its growth over every attachment, drain included.
	lostAt      uint32
	lostRecords uint64
	facts       map[string]string
}

// Setup takes the audit lock, snapshots the audit configuration, starts
// the receiver, sets the mode's backlog policy and makes sure audit has
// been enabled once since boot (processes started afterwards can be
// audited: start the workload after Setup); the rule is loaded and audit
// enabled only by Attach. It measures one event: the kernel's lost
// counter cannot tell records of different rules apart.
func (b *Backend) Setup(_ context.Context, s backends.Setup) (backends.SetupResult, error) {
	t0 := time.Now()
	if b.s != nil {
		return backends.SetupResult{}, errors.New("setup while set up: tear down first")
	}
	if len(s.Events) != 1 {
		return backends.SetupResult{}, fmt.Errorf("audit backends measure one event per setup (got %d): the kernel's lost counter counts the records of every rule together", len(s.Events))
	}
	status, mask, err := policy(s.Mode, s.Options)
	if err != nil {
		return backends.SetupResult{}, err
	}
	unlock, err := auditnl.Lock()
	if err != nil {
		return backends.SetupResult{}, err
	}
	ss := &session{unlock: unlock, ev: s.Events[0], facts: map[string]string{}}
	if err := ss.setup(b, s, status, mask); err != nil {
		return backends.SetupResult{}, errors.Join(classify(err), ss.close())
	}
	b.s = ss
	return backends.SetupResult{
		Duration:    time.Since(t0),
		ProbePoints: map[event.Event]string{ss.ev: probePoint(ss.ev)},
		Facts:       ss.facts,
	}, nil
}

func (ss *session) setup(b *Backend, s backends.Setup, status auditnl.Status, mask auditnl.StatusMask) error {
	var err error
	if ss.c, err = auditnl.Dial(); err != nil {
		return err
	}
	if ss.found, err = ss.c.Snapshot(); err != nil {
		return err
	}
	if err := b.usable(ss.found.Status); err != nil {
		return err
	}
	arch, err := auditnl.NativeArch()
	if err != nil {
		return err
	}
	tag := tagOr(s.Tag)
	if ss.rule, err = eventRule(arch, ss.ev, tag, s.Filter); err != nil {
		return err
	}
	ss.key, ss.nrs = ruleKey(tag, ss.ev), syscallNumbers(arch, ss.ev)
	data, _ := ss.rule.MarshalBinary()
	switch {
	case !b.planned(tag, KindStatus, nil, ""):
		return fmt.Errorf("unplanned kernel change: audit status (call Plan with tag %q first)", tag)
	case !b.planned(tag, KindRule, data, ""):
		return fmt.Errorf("unplanned kernel change: audit rule %q", ss.key)
	case b.spec.Daemon && !b.planned(tag, KindDaemon, nil, DaemonDir(tag)):
		return fmt.Errorf("unplanned kernel change: audit daemon in %s", DaemonDir(tag))
	}
	if ss.recv, err = b.spec.NewReceiver(s.Options); err != nil {
		return err
	}
	if err := ss.recv.Start(tag); err != nil {
		return err
	}
	ss.started = true
	if err := ss.c.SetStatus(status, mask); err != nil {
		return err
	}
	if ss.found.Status.Enabled == 0 {
		// Attach enables audit, Detach and Teardown disable it again: this
		// plugin runs for the harness, which journaled the status. Enable
		// it once now: tasks forked before audit was ever enabled never
		// get an audit context, so the workload must start after this.
		ss.c.PermitEnable()
		if err := ss.c.SetStatus(auditnl.Status{Enabled: 1}, auditnl.MaskEnabled); err != nil {
			return err
		}
		if err := ss.c.SetStatus(auditnl.Status{Enabled: 0}, auditnl.MaskEnabled); err != nil {
			return err
		}
	}
	st, err := ss.c.Status()
	if err != nil {
		return err
	}
	for k, v := range map[string]uint32{
		"audit_enabled_found": ss.found.Status.Enabled, "audit_backlog_limit": st.BacklogLimit,
		"audit_backlog_wait_time": st.BacklogWaitTime, "audit_rules_found": uint32(len(ss.found.Rules)),
	} {
		ss.facts[k] = strconv.FormatUint(uint64(v), 10)
	}
	ss.facts["audit_filter"] = fmt.Sprintf("auid=%d", s.Filter.LoginUID)
	return nil
}

func (ss *session) attach() (time.Duration, error) {
	if ss.attached {
		return 0, errors.New("already attached")
	}
	st, err := ss.c.Status()
	if err != nil {
		return 0, err
	}
	ss.lostAt = st.Lost
	t0 := time.Now()
	if err := ss.c.AddRule(ss.rule); err != nil {
		return 0, err
	}
	ss.attached = true
	if ss.found.Status.Enabled == 0 {
		if err := ss.c.SetStatus(auditnl.Status{Enabled: 1}, auditnl.MaskEnabled); err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}

func (ss *session) detach() (time.Duration, error) {
	if !ss.attached {
		return 0, errors.New("not attached")
	}
	t0 := time.Now()
	if ss.found.Status.Enabled == 0 {
		if err := ss.c.SetStatus(auditnl.Status{Enabled: 0}, auditnl.MaskEnabled); err != nil {
			return 0, err
		}
	}
	if err := ss.c.DeleteRule(ss.rule); err != nil {
		return 0, err
	}
	d := time.Since(t0)
	ss.attached = false
	if err := ss.recv.Drain(ss.c); err != nil {
		return d, err
	}
	st, err := ss.c.Status()
	if err != nil {
		return d, err
	}
	ss.lostRecords += uint64(auditnl.LostSince(auditnl.Status{Lost: ss.lostAt}, st))
	return d, nil
}

// unchecked are the events with records whose loss no receiver can see
// (auditnl.Event.MissingRecords does not know them): connect's SOCKADDR,
// exec's CWD and EXECVE. A counted event that lost one is counted in the
// kernel's lost records as if lost whole.
var unchecked = map[event.Event]bool{event.Connect: true, event.Exec: true}

// counters reconciles as auditnl.Coverage does: the events lost whole
// are the records the kernel lost less those missing from events seen.
// Where the receiver cannot see EOE records, or the event has records
// whose loss cannot be seen, that may count too many (fact
// audit_lost_overcount_max), and the cell's unexplained events may be
// negative down to minus that bound.
func (ss *session) counters() map[event.Event]backends.Counter {
	t := ss.recv.Tally()
	var seen uint64
	for _, nr := range ss.nrs {
		seen += t.Counts[auditnl.CountKey{Key: ss.key, Syscall: nr}]
	}
	var lost uint64
	if ss.lostRecords > t.MissingRecords {
		lost = ss.lostRecords - t.MissingRecords
	}
	facts := map[string]string{
		"audit_lost_records":    strconv.FormatUint(ss.lostRecords, 10),
		"audit_missing_records": strconv.FormatUint(t.MissingRecords, 10),
		"audit_orphan_events":   strconv.FormatUint(t.Orphans, 10),
	}
	if t.HidesEOE || unchecked[ss.ev] {
		facts["audit_lost_overcount_max"] = strconv.FormatUint(seen, 10)
	}
	for k, v := range t.Facts {
		facts[k] = v
	}
	return map[event.Event]backends.Counter{ss.ev: {Seen: seen, Lost: lost, Facts: facts}}
}

// close undoes the session: detach, stop the receiver, put the status and
// rules back as found and verify them, release the lock.
func (ss *session) close() error {
	var errs []error
	if ss.attached {
		_, err := ss.detach()
		errs = append(errs, err)
	}
	if ss.started {
		errs = append(errs, ss.recv.Stop())
	}
	if ss.c != nil {
		errs = append(errs, ss.restore())
		errs = append(errs, ss.c.Close())
	}
	errs = append(errs, ss.unlock())
	return errors.Join(errs...)
}

// restore puts back the status and deletes the rule if still loaded, then
// compares the whole configuration with the one found.
func (ss *session) restore() error {
	if ss.found.Status == (auditnl.Status{}) {
		return nil // never read: nothing was changed
	}
	s := ss.found.Status
	err := restoreStatus(ss.c, foundStatus{s.Enabled, s.RateLimit, s.BacklogLimit, s.BacklogWaitTime})
	if len(ss.rule.Fields) > 0 {
		if derr := ss.c.DeleteRule(ss.rule); derr != nil && !errors.Is(derr, auditnl.ErrNoSuchRule) {
			err = errors.Join(err, derr)
		}
	}
	return errors.Join(err, ss.c.Verify(ss.found))
}
