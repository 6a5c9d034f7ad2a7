package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tracebench/tracebench/internal/auditd"
	"github.com/tracebench/tracebench/internal/auditnl"
	"github.com/tracebench/tracebench/kstate"
)

// Kinds of kernel state change the audit backends make. Their undo actions
// live here, registered with kstate when this package is linked in: the
// harness and `tracebench doctor` undo them from the journal without the
// plugin that made them.
const (
	// KindStatus is a change of the audit status (enabled, rate limit,
	// backlog limit and wait time). Data holds the status as found, as
	// JSON; undo sets every one of those fields that differs back.
	KindStatus kstate.Kind = "audit-status"
	// KindRule is an audit rule loaded. Data holds its wire form
	// (struct audit_rule_data); undo deletes it if it is still loaded.
	KindRule kstate.Kind = "audit-rule"
	// KindDaemon is an auditd started with the configuration directory
	// Path (auditd -c Path). Its pid is not known when the change is
	// journaled, so undo finds the daemon by that directory, stops it,
	// reclaims its registration and removes the directory.
	KindDaemon kstate.Kind = "audit-daemon"
)

func init() {
	kstate.Register(KindStatus, undoStatus)
	kstate.Register(KindRule, undoRule)
	kstate.Register(KindDaemon, undoDaemon)
}

// foundStatus is the part of the audit status a cell may change, as
// journaled.
type foundStatus struct {
	Enabled         uint32 `json:"enabled"`
	RateLimit       uint32 `json:"rate_limit"`
	BacklogLimit    uint32 `json:"backlog_limit"`
	BacklogWaitTime uint32 `json:"backlog_wait_time"`
}

func statusChange(s auditnl.Status) kstate.Change {
	b, _ := json.Marshal(foundStatus{s.Enabled, s.RateLimit, s.BacklogLimit, s.BacklogWaitTime})
	return kstate.Change{Kind: KindStatus, Data: b, Note: fmt.Sprintf("audit status (enabled %d, backlog_limit %d, backlog_wait_time %d, rate_limit %d)", s.Enabled, s.BacklogLimit, s.BacklogWaitTime, s.RateLimit)}
}

func ruleChange(r auditnl.Rule) (kstate.Change, error) {
	b, err := r.MarshalBinary()
	if err != nil {
		return kstate.Change{}, err
	}
	return kstate.Change{Kind: KindRule, Name: r.KeyString(), Data: b, Note: "audit rule"}, nil
}

// daemonDirPrefix starts the name of every auditd configuration directory
// tracebench creates; undo removes only directories named so.
const daemonDirPrefix = "tracebench-auditd-"

// DaemonDir is the configuration directory of the auditd of a Setup
// tagged tag.
func DaemonDir(tag string) string {
	return filepath.Join(os.TempDir(), daemonDirPrefix+tag)
}

func daemonChange(tag string) kstate.Change {
	return kstate.Change{Kind: KindDaemon, Path: DaemonDir(tag), Note: "auditd and its log"}
}

// dial connects to the kernel's audit; ok is false when the kernel has
// none, so that there is nothing to undo.
func dial() (c *auditnl.Conn, ok bool, err error) {
	c, err = auditnl.Dial()
	if errors.Is(err, auditnl.ErrMissingConfig) {
		return nil, false, nil
	}
	return c, err == nil, err
}

func undoStatus(ch kstate.Change) error {
	var want foundStatus
	if err := json.Unmarshal(ch.Data, &want); err != nil {
		return fmt.Errorf("audit status in the journal: %w", err)
	}
	c, ok, err := dial()
	if !ok {
		return err
	}
	defer c.Close()
	return restoreStatus(c, want)
}

// restoreStatus sets back the fields of want that differ from the current
// status; each AUDIT_SET logs a CONFIG_CHANGE record, so unchanged fields
// are left alone. The enabled flag goes back last: with audit disabled
// first, the other changes would not be logged, but the order matters
// only for the log.
func restoreStatus(c *auditnl.Conn, want foundStatus) error {
	now, err := c.Status()
	if err != nil {
		return err
	}
	var errs []error
	set := func(m auditnl.StatusMask, s auditnl.Status) { errs = append(errs, c.SetStatus(s, m)) }
	if now.RateLimit != want.RateLimit {
		set(auditnl.MaskRateLimit, auditnl.Status{RateLimit: want.RateLimit})
	}
	if now.BacklogLimit != want.BacklogLimit {
		set(auditnl.MaskBacklogLimit, auditnl.Status{BacklogLimit: want.BacklogLimit})
	}
	if now.BacklogWaitTime != want.BacklogWaitTime {
		set(auditnl.MaskBacklogWaitTime, auditnl.Status{BacklogWaitTime: want.BacklogWaitTime})
	}
	if now.Enabled != want.Enabled {
		if want.Enabled == 1 {
			c.PermitEnable() // it was enabled when found: nothing new is lost
		}
		set(auditnl.MaskEnabled, auditnl.Status{Enabled: want.Enabled})
	}
	return errors.Join(errs...)
}

func undoRule(ch kstate.Change) error {
	var r auditnl.Rule
	if err := r.UnmarshalBinary(ch.Data); err != nil {
		return fmt.Errorf("audit rule in the journal: %w", err)
	}
	c, ok, err := dial()
	if !ok {
		return err
	}
	defer c.Close()
	if err := c.DeleteRule(r); err != nil && !errors.Is(err, auditnl.ErrNoSuchRule) {
		return err
	}
	return nil
}

// daemonStopTimeout bounds how long undo waits for a stray auditd to end
// after SIGTERM before it kills it.
const daemonStopTimeout = 10 * time.Second

func undoDaemon(ch kstate.Change) error {
	if !strings.HasPrefix(filepath.Base(ch.Path), daemonDirPrefix) {
		return fmt.Errorf("audit daemon directory %q is not one tracebench makes (%s*)", ch.Path, daemonDirPrefix)
	}
	ids, err := auditd.FindByConfig(ch.Path)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, auditd.KillStray(id, daemonStopTimeout))
	}
	errs = append(errs, os.RemoveAll(ch.Path))
	return errors.Join(errs...)
}
