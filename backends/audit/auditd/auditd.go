// Package auditd is the audit/auditd backend: audit records received by
// the real audit daemon from Debian's auditd package, which tracebench
// starts for the cell with its own configuration and log (Debian's
// settings for what affects the cost: ENRICHED log format, flush
// INCREMENTAL_ASYNC, priority boost 4) and -s nochange; events are counted
// from its log. This is what users of audit run: the daemon writes every
// record to disk, and its registration makes kauditd wait for it.
package auditd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/audit"
	"github.com/tracebench/tracebench/internal/auditd"
	"github.com/tracebench/tracebench/internal/auditnl"
)

// Name is the backend's name.
const Name = "audit/auditd"

// New returns the backend.
func New() backends.Backend {
	return audit.New(audit.Spec{
		Name:        Name,
		Summary:     "audit syscall rules, records logged by the audit daemon (Debian's auditd), counted from its log",
		Daemon:      true,
		GuestTools:  []string{"auditd"},
		Check:       installed,
		NewReceiver: func(map[string]string) (audit.Receiver, error) { return &daemon{}, nil },
	})
}

// installed reports a missing auditd binary as unsupported.
func installed() error {
	if _, err := exec.LookPath("auditd"); err != nil {
		return backends.Unsupportedf(backends.MissingTool, "%v: %v", auditd.ErrNotInstalled, err)
	}
	return nil
}

// Timeouts of the daemon's life: start (it registers within
// milliseconds, but a loaded machine or an emulated guest is slower),
// stop, and draining what the kernel queued for it and writing it to the
// log (together below the harness's 1 min deadline for a call, so that a
// drain that cannot finish fails the cell saying why).
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 30 * time.Second
	drainTimeout = 25 * time.Second
)

type daemon struct {
	cfg     auditd.Config
	d       *auditd.Daemon
	tail    *auditd.Tail
	counter *auditnl.Counter
}

func (r *daemon) Start(tag string) error {
	r.cfg = auditd.DefaultConfig(audit.DaemonDir(tag))
	d, err := auditd.Start(r.cfg, startTimeout)
	if errors.Is(err, auditd.ErrNotInstalled) {
		return backends.Unsupportedf(backends.MissingTool, "%v", err)
	}
	if err != nil {
		return err
	}
	r.d, r.tail, r.counter = d, auditd.NewTail(r.cfg.LogFile()), auditnl.NewCounter(auditnl.FromLog)
	return nil
}

// Drain waits until auditd has read everything the kernel queued and has
// written it to its log, then counts the log's new events.
func (r *daemon) Drain(*auditnl.Conn) error {
	if err := r.d.WaitDrained(drainTimeout); err != nil {
		return err
	}
	if err := r.tail.Settle(drainTimeout); err != nil {
		return err
	}
	if err := r.tail.Read(r.counter); err != nil {
		return err
	}
	r.tail.Flush(r.counter)
	return nil
}

func (r *daemon) Tally() audit.Tally {
	t := audit.TallyOf(r.counter)
	t.HidesEOE = true // auditd ends events on EOE and does not log it
	st := r.tail.Stats()
	t.Facts = map[string]string{
		"auditd_log_records": strconv.Itoa(st.Records),
		"auditd_log_format":  r.cfg.LogFormat,
		"auditd_flush":       r.cfg.Flush,
	}
	if sock, err := r.d.Socket(); err == nil {
		t.Facts["auditd_socket_drops"] = strconv.FormatUint(sock.Drops, 10)
	}
	return t
}

// Stop stops the daemon and removes its directory and log.
func (r *daemon) Stop() error {
	err := r.d.Stop(stopTimeout)
	if rerr := os.RemoveAll(r.cfg.Dir); rerr != nil {
		err = errors.Join(err, fmt.Errorf("remove auditd directory: %w", rerr))
	}
	return err
}
