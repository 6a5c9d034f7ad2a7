package auditd_test

import (
	"testing"
	"time"

	"github.com/tracebench/tracebench/internal/auditd"
	"github.com/tracebench/tracebench/internal/auditnl"
	"github.com/tracebench/tracebench/internal/auditnl/audittest"
)

// guestRun is one measurement through auditd: audit enabled with the given
// backlog settings, auditd started, a rule on the workload, the workload
// and a noise process run, auditd drained and stopped, its log counted.
type guestRun struct {
	counter  *auditnl.Counter
	lost     uint32
	drops    uint64 // overruns of auditd's socket
	nr       int
	stats    auditd.LogStats
	workload *audittest.Child
}

func runThroughAuditd(t *testing.T, s auditnl.Status, mask auditnl.StatusMask, cfg auditd.Config, n, noise int, key string) guestRun {
	t.Helper()
	requireAuditd(t)
	c := audittest.Enable(t, s, mask)
	arch, err := auditnl.NativeArch()
	if err != nil {
		t.Skip(err)
	}
	nr, _ := arch.SyscallNumber("getppid")
	d, err := auditd.Start(cfg, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			d.Stop(10 * time.Second)
		}
	})
	auid := uint32(4242)
	work := audittest.StartGetppid(t, n, audittest.ChildOptions{AUID: &auid})
	var noiseChild *audittest.Child
	if noise > 0 {
		noiseChild = audittest.StartGetppid(t, noise, audittest.ChildOptions{})
	}
	rule, err := auditnl.SyscallRule(arch, []string{"getppid"}, key, auditnl.Equals(auditnl.FieldLoginUID, auid))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddRule(rule); err != nil {
		t.Fatal(err)
	}
	before, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	work.Go(t)
	if noiseChild != nil {
		noiseChild.Go(t)
		noiseChild.Wait(t)
	}
	work.Wait(t)
	if err := d.WaitDrained(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	sock, err := d.Socket()
	if err != nil {
		t.Fatal(err)
	}
	after, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	stopped = true
	r := guestRun{counter: auditnl.NewCounter(auditnl.FromLog), lost: auditnl.LostSince(before, after), drops: sock.Drops, nr: nr, workload: work}
	if r.stats, err = auditd.ReadLog(cfg.LogFile(), r.counter); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGuestAuditdExactCount: with the default backlog policy, auditd's log
// holds exactly the workload's getppid events and none of the noise's.
func TestGuestAuditdExactCount(t *testing.T) {
	audittest.RequireEnable(t)
	const n, noise = 1000, 700
	r := runThroughAuditd(t, auditnl.Status{}, 0, auditd.DefaultConfig(t.TempDir()+"/auditd"), n, noise, "tb-auditd")
	t.Logf("log: %+v; lost %d, socket drops %d", r.stats, r.lost, r.drops)
	if got := r.counter.Count("tb-auditd", r.nr); got != n {
		t.Errorf("auditd logged %d getppid events, want %d (noise made %d)", got, n, noise)
	}
	// Socket drops (overruns) may happen: kauditd then retries the record
	// and, with the waiting policy, nothing is lost.
	if r.lost != 0 || r.counter.Incomplete != 0 || r.counter.Orphans != 0 {
		t.Errorf("lost %d, counter %+v; want no loss", r.lost, r.counter)
	}
}

// TestGuestAuditdFlood: with a large backlog and no wait, a getppid flood
// outruns auditd; what its log holds plus what the kernel counted as lost
// must account for every event. An event missing from the log without the
// kernel counting it can only come from auditd's socket overrunning: kauditd
// waits 100 ms for room, then queues the record for a retry and drops it
// uncounted if the retry fails too (kauditd_hold_skb).
func TestGuestAuditdFlood(t *testing.T) {
	audittest.RequireEnable(t)
	const n = 200000
	r := runThroughAuditd(t, auditnl.Status{BacklogLimit: 8192, BacklogWaitTime: 0},
		auditnl.MaskBacklogLimit|auditnl.MaskBacklogWaitTime, auditd.DefaultConfig(t.TempDir()+"/auditd"),
		n, 0, "tb-auditd-flood")
	cov := auditnl.Reconcile(n, r.lost, r.counter, "tb-auditd-flood", r.nr)
	t.Logf("coverage %+v; socket drops %d; log %+v", cov, r.drops, r.stats)
	if cov.Seen == 0 {
		t.Fatalf("auditd logged no event of %d", n)
	}
	// The log has no EOE records, so an EOE the kernel dropped for a logged
	// event is invisible: full accounting means 0 lies within
	// [Unexplained, Unexplained+Uncertainty]. Orphans (records of an event
	// whose SYSCALL record is missing) come from overruns too.
	accounted := cov.Unexplained <= 0 && cov.Unexplained+cov.Uncertainty >= 0 && r.counter.Orphans == 0
	switch {
	case accounted:
	case r.drops > 0:
		t.Skipf("auditd's socket overran %d times; %d events unaccounted, %d orphans: lost uncounted after failed retries",
			r.drops, cov.Unexplained, r.counter.Orphans)
	default:
		t.Errorf("logged %d + lost %d does not account for %d produced (unexplained %d, uncertainty %d, orphans %d) although auditd's socket never overran",
			cov.Seen, cov.LostEvents, n, cov.Unexplained, cov.Uncertainty, r.counter.Orphans)
	}
}
