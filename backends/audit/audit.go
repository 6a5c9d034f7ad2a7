// Package audit is what the audit backends share: the Linux audit
// subsystem (CONFIG_AUDIT, syscall rules need CONFIG_AUDITSYSCALL) asked,
// through its netlink socket, to log the cell's syscalls made by the
// workload, and its records counted by a receiver. A backend package says
// only how records are received: a read-only multicast listener
// (audit/netlink) or the real audit daemon and its log (audit/auditd).
//
// Attaching loads the event's exit-filter rule and enables audit;
// detaching disables audit again (if it was disabled when found) and
// deletes the rule. Seen counts the events the receiver got; lost comes
// from the kernel's lost counter, which counts records, turned into events
// (see auditnl.Coverage). The mode is the backlog policy (wait or drop).
//
// Enabling audit sets the kernel's audit_ever_enabled for good: every task
// created afterwards gets an audit context and takes the slow syscall path
// until reboot, and tasks created before are never audited. Setup enables
// audit once and disables it again (when it was found disabled), so that
// processes started afterwards can be audited: the harness starts the
// cell's workload again after Setup for audit backends, and runs audit
// cells last on a host.
//
// Every change (status, rules, the daemon) is journaled before it is made
// (Plan), undone by Teardown and checked against the configuration found;
// the kinds in state.go undo them from the journal after a crash.
package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/auditnl"
	"github.com/tracebench/tracebench/kstate"
)

// Receiver is how records reach tracebench.
type Receiver interface {
	// Start begins receiving records for a Setup tagged tag.
	Start(tag string) error
	// Drain returns once every record the kernel queued before the call
	// has been received and its event counted.
	Drain(c *auditnl.Conn) error
	// Tally returns what was counted so far.
	Tally() Tally
	// Stop ends receiving and removes what Start made.
	Stop() error
}

// Tally is what a receiver counted.
type Tally struct {
	// Counts are the syscall events per rule key and syscall number.
	Counts map[auditnl.CountKey]uint64
	// MissingRecords are records missing from counted events: the kernel
	// counted them in its lost counter without losing their event.
	MissingRecords uint64
	// Orphans are events whose SYSCALL record never arrived.
	Orphans uint64
	// HidesEOE says the receiver never sees EOE records (an auditd log):
	// an EOE the kernel dropped for a counted event then leaves no trace,
	// and the events lost whole may be fewer than the kernel's count
	// suggests, by up to the events counted.
	HidesEOE bool
	// Facts describe the receiver (overruns of its socket, log size…).
	Facts map[string]string
}

// TallyOf copies what c counted.
func TallyOf(c *auditnl.Counter) Tally {
	return Tally{Counts: c.Counts(), MissingRecords: c.MissingRecords, Orphans: c.Orphans}
}

// Spec describes an audit backend.
type Spec struct {
	Name    string
	Summary string
	// Daemon says the receiver is an audit daemon that Start launches:
	// Plan journals it (KindDaemon) and a registered daemon that is not
	// tracebench's makes the backend unsupported.
	Daemon bool
	// GuestTools are the programs the receiver runs (Traits).
	GuestTools []string
	// Check reports why the receiver cannot run on this machine (an
	// *backends.Unsupported), or nil.
	Check func() error
	// NewReceiver returns a receiver for a Setup with these options.
	NewReceiver func(opts map[string]string) (Receiver, error)
}

// New returns a backends.Backend for spec.
func New(spec Spec) backends.Backend {
	return &Backend{spec: spec, plans: map[string][]kstate.Change{}}
}

// Backend implements backends.Backend for one kind of receiver.
type Backend struct {
	spec Spec
	// plans holds the last plan of each tag: what the harness journaled,
	// and so all that Setup may change.
	plans map[string][]kstate.Change
	s     *session
}

func (b *Backend) Describe(context.Context) (backends.Description, error) {
	d := backends.Description{Name: b.spec.Name, Summary: b.spec.Summary, Modes: Modes, Traits: backends.Traits{Audit: true, GuestTools: b.spec.GuestTools}}
	for _, ev := range event.All {
		if _, ok := syscalls[ev]; ok {
			d.Probes = append(d.Probes, backends.ProbeSpec{Event: ev, Candidates: []string{probePoint(ev)}})
		}
	}
	return d, nil
}

func (b *Backend) Usage(context.Context) (backends.Usage, error) { return backends.SelfUsage() }

// probeLoginUID stands in for the workload's login uid in the trial rules
// of Probe and in plans made without a workload: a value no login uses.
const probeLoginUID = 3_899_999_999

// tagOr returns tag, or a name unique among processes for a Probe or Plan
// outside the harness.
func tagOr(tag string) string {
	if tag == "" {
		return "p" + strconv.Itoa(os.Getpid())
	}
	return tag
}

// Plan lists, in the order they are made, the changes of Setup and Attach:
// the audit status (as found), one rule per event and, for a daemon
// receiver, the daemon. It only reads the audit status. On a kernel
// without audit (or where it may not be read) the plan has no status
// change, and Setup fails with the classified reason.
func (b *Backend) Plan(_ context.Context, s backends.Setup) ([]kstate.Change, error) {
	tag := tagOr(s.Tag)
	var out []kstate.Change
	if c, ok, err := dial(); ok && err == nil {
		st, err := c.Status()
		c.Close()
		if err == nil {
			out = append(out, statusChange(st))
		}
	}
	arch, err := auditnl.NativeArch()
	if err != nil {
		return nil, err
	}
	f := s.Filter
	if f.LoginUID == 0 {
		f.LoginUID = probeLoginUID
	}
	for _, ev := range s.Events {
		if _, ok := syscalls[ev]; !ok {
			continue
		}
		r, err := eventRule(arch, ev, tag, f)
		if err != nil {
			return nil, err
		}
		ch, err := ruleChange(r)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	if b.spec.Daemon {
		out = append(out, daemonChange(tag))
	}
	b.plans[tag] = out
	return out, nil
}

// planned reports whether the plan of tag lists a change of kind k with
// data (nil: any) and path.
func (b *Backend) planned(tag string, k kstate.Kind, data []byte, path string) bool {
	for _, ch := range b.plans[tag] {
		if ch.Kind == k && (data == nil || string(ch.Data) == string(data)) && ch.Path == path {
			return true
		}
	}
	return false
}

// classify turns the audit packages' error classes into unsupported
// reasons; other errors pass through.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, auditnl.ErrMissingConfig):
		return backends.Unsupportedf(backends.MissingConfig, "%v (kernel built without CONFIG_AUDIT, or booted with audit=0)", err)
	case errors.Is(err, auditnl.ErrPermission), errors.Is(err, auditnl.ErrEnableNotPermitted):
		return backends.Unsupportedf(backends.Permission, "%v", err)
	}
	return err
}

// usable checks what every Probe and Setup needs: audit present, not
// locked, and the receiver able to run.
func (b *Backend) usable(st auditnl.Status) error {
	if st.Enabled == 2 {
		return backends.Unsupportedf(backends.Permission, "audit configuration locked until reboot (enabled=2): rules cannot change")
	}
	if b.spec.Daemon && st.PID != 0 && st.PID != uint32(os.Getpid()) {
		if _, err := os.Stat("/proc/" + strconv.Itoa(int(st.PID))); err == nil {
			return backends.Unsupportedf(backends.Failed, "another audit daemon (pid %d) is registered: stop it (systemctl stop auditd) to measure %s", st.PID, b.spec.Name)
		}
	}
	if b.spec.Check != nil {
		return b.spec.Check()
	}
	return nil
}

// Probe checks audit on this kernel for real: it reads the status and
// loads and deletes each event's rule (refused without
// CONFIG_AUDITSYSCALL); the rules are in the plan of the same tag,
// journaled by the harness first. It never enables audit, which would
// leave every later process on the machine slower until reboot: asking
// what is supported must not cost that.
func (b *Backend) Probe(_ context.Context, req backends.ProbeRequest) ([]backends.Support, error) {
	refused, err := b.probeKernel(req.Tag, req.Events)
	if _, ok := backends.AsUnsupported(classify(err)); err != nil && !ok {
		return nil, err
	}
	var out []backends.Support
	for _, ev := range req.Events {
		for _, m := range req.Modes {
			s := backends.Support{Event: ev, Mode: m}
			why := classify(err)
			if why == nil {
				why = refused[ev]
			}
			if _, _, perr := policy(m, req.Options); perr != nil {
				why = backends.Unsupportedf(backends.NotApplicable, "%v", perr)
			}
			if u, ok := backends.AsUnsupported(why); ok {
				s.Reason = u
			} else if why != nil {
				s.Reason = backends.Unsupportedf(backends.Failed, "%v", why)
			} else {
				s.ProbePoint = probePoint(ev)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// probeKernel does Probe's trials: an error for the whole kernel, or the
// refusal of each event's rule.
func (b *Backend) probeKernel(tag string, events []event.Event) (map[event.Event]error, error) {
	unlock, err := auditnl.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := auditnl.Dial()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	st, err := c.Status()
	if err != nil {
		return nil, err
	}
	if err := b.usable(st); err != nil {
		return nil, err
	}
	tag = tagOr(tag)
	if !b.planned(tag, KindStatus, nil, "") {
		return nil, fmt.Errorf("unplanned kernel change: audit status (call Plan with tag %q first)", tag)
	}
	arch, err := auditnl.NativeArch()
	if err != nil {
		return nil, err
	}
	refused := map[event.Event]error{}
	for _, ev := range events {
		r, err := eventRule(arch, ev, tag, backends.Filter{LoginUID: probeLoginUID})
		if err == nil {
			err = b.tryRule(c, tag, r)
		}
		refused[ev] = err
	}
	return refused, nil
}

// tryRule loads r and deletes it again.
func (b *Backend) tryRule(c *auditnl.Conn, tag string, r auditnl.Rule) error {
	data, _ := r.MarshalBinary()
	if !b.planned(tag, KindRule, data, "") {
		return fmt.Errorf("unplanned kernel change: audit rule %q", r.KeyString())
	}
	if err := c.AddRule(r); err != nil {
		if errors.Is(err, auditnl.ErrInvalid) {
			return backends.Unsupportedf(backends.MissingConfig, "the kernel refused a syscall rule (%v): built without CONFIG_AUDITSYSCALL", err)
		}
		return classify(err)
	}
	return c.DeleteRule(r)
}

// Teardown undoes Setup and checks that the audit configuration is the
// one found.
func (b *Backend) Teardown(context.Context) error {
	if b.s == nil {
		return nil
	}
	err := b.s.close()
	b.s = nil
	return err
}

// Attach loads the rule and enables audit; the time covers both.
func (b *Backend) Attach(context.Context) (time.Duration, error) {
	if b.s == nil {
		return 0, errors.New("attach before setup")
	}
	return b.s.attach()
}

// Detach disables audit (if it was disabled when found) and deletes the
// rule, the time covering both; then it waits until the receiver has
// counted every record the kernel produced.
func (b *Backend) Detach(context.Context) (time.Duration, error) {
	if b.s == nil {
		return 0, errors.New("detach before setup")
	}
	return b.s.detach()
}

// Counters returns the events seen and lost since Setup.
func (b *Backend) Counters(context.Context) (map[event.Event]backends.Counter, error) {
	if b.s == nil {
		return nil, errors.New("counters before setup")
	}
	return b.s.counters(), nil
}
