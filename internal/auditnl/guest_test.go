package auditnl_test

import (
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/internal/auditnl"
	"github.com/tracebench/tracebench/internal/auditnl/audittest"
)

func TestMain(m *testing.M) {
	audittest.RunChildIfRequested()
	os.Exit(m.Run())
}

// quiet is how long a receiver waits for more records once the workload
// has exited before it concludes that everything has arrived. The kernel
// queues a syscall's records before the syscall returns; this only bounds
// the delivery from its queue.
const quiet = 3 * time.Second

// receiver is a listener feeding an assembler and a counter.
type receiver struct {
	l       *auditnl.Listener
	asm     *auditnl.Assembler
	counter *auditnl.Counter
	byPID   map[int]int
}

// listen starts a receiver: the registered daemon or a multicast listener,
// with a socket receive buffer of rcvbuf bytes (0: the system default).
func listen(t *testing.T, daemon bool, rcvbuf int) *receiver {
	t.Helper()
	var l *auditnl.Listener
	var err error
	if daemon {
		l, err = auditnl.ListenDaemon(rcvbuf)
	} else {
		l, err = auditnl.ListenMulticast(rcvbuf)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close listener: %v", err)
		}
	})
	return &receiver{l: l, asm: auditnl.NewAssembler(quiet), counter: auditnl.NewCounter(auditnl.FromNetlink), byPID: map[int]int{}}
}

// receive takes one record, or reports false after timeout without one.
func (r *receiver) receive(t *testing.T, timeout time.Duration) bool {
	rec, err := r.l.Next(timeout)
	if errors.Is(err, auditnl.ErrTimeout) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if e := r.asm.Add(rec, time.Now()); e != nil {
		r.add(e)
	}
	return true
}

func (r *receiver) add(e *auditnl.Event) {
	if r.counter.Add(e) {
		s, _, _ := e.Syscall()
		r.byPID[s.PID]++
	}
}

// readUntil receives while the children run. A registered daemon must keep
// reading: when its socket is full, kauditd moves records to a retry queue
// and from there drops them without counting them (kauditd_hold_skb), and
// with the waiting policy the producer sleeps meanwhile.
func (r *receiver) readUntil(t *testing.T, children ...*audittest.Child) {
	for _, c := range children {
		for waiting := true; waiting; {
			select {
			case <-c.Exited():
				waiting = false
			default:
				r.receive(t, 100*time.Millisecond)
			}
		}
	}
}

// drain receives until nothing has arrived for the quiet period, then
// counts the events still incomplete.
func (r *receiver) drain(t *testing.T) {
	for r.receive(t, quiet) {
	}
	for _, e := range r.asm.Flush() {
		r.add(&e)
	}
}

// boostThisThread locks the test goroutine to its thread and gives the
// thread nice value nice until the test ends.
func boostThisThread(t *testing.T, nice int) {
	runtime.LockOSThread()
	if err := unix.Setpriority(unix.PRIO_PROCESS, 0, nice); err != nil {
		t.Fatalf("setpriority %d: %v", nice, err)
	}
	t.Cleanup(func() {
		unix.Setpriority(unix.PRIO_PROCESS, 0, 0)
		runtime.UnlockOSThread()
	})
}

func getppidNumber(t *testing.T) int {
	arch, err := auditnl.NativeArch()
	if err != nil {
		t.Skip(err)
	}
	nr, err := arch.SyscallNumber("getppid")
	if err != nil {
		t.Fatal(err)
	}
	return nr
}

// TestGuestExactCount: a workload child makes exactly N getppid calls, a
// noise child makes some too; a rule filtered by the workload's login uid or
// pid must yield exactly N events from the workload and none from the noise,
// through either receiver, with nothing lost. The default backlog policy
// (the producer waits) is in force.
func TestGuestExactCount(t *testing.T) {
	audittest.RequireEnable(t)
	const n, noiseN = 1000, 700
	const auid = 4242
	nr := getppidNumber(t)
	for _, tc := range []struct {
		name   string
		daemon bool
		byPID  bool
	}{
		{"multicast/auid", false, false}, {"multicast/pid", false, true},
		{"daemon/auid", true, false}, {"daemon/pid", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := audittest.Enable(t, auditnl.Status{}, 0)
			r := listen(t, tc.daemon, 8<<20)
			a := uint32(auid)
			work := audittest.StartGetppid(t, n, audittest.ChildOptions{AUID: &a})
			noise := audittest.StartGetppid(t, noiseN, audittest.ChildOptions{})
			filter := auditnl.Equals(auditnl.FieldLoginUID, auid)
			if tc.byPID {
				filter = auditnl.Equals(auditnl.FieldPID, uint32(work.PID()))
			}
			arch, _ := auditnl.NativeArch()
			rule, err := auditnl.SyscallRule(arch, []string{"getppid"}, "tb-exact", filter)
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
			noise.Go(t)
			r.readUntil(t, work, noise)
			work.Wait(t)
			noise.Wait(t)
			r.drain(t)
			after, err := c.Status()
			if err != nil {
				t.Fatal(err)
			}
			if got := r.counter.Count("tb-exact", nr); got != n {
				t.Errorf("counted %d getppid events, want %d", got, n)
			}
			if r.byPID[work.PID()] != n || r.byPID[noise.PID()] != 0 {
				t.Errorf("events by pid: workload %d (want %d), noise %d (want 0)", r.byPID[work.PID()], n, r.byPID[noise.PID()])
			}
			if lost := auditnl.LostSince(before, after); lost != 0 {
				t.Errorf("kernel lost %d records with the waiting backlog policy", lost)
			}
			if r.l.Overruns() != 0 || r.counter.Incomplete != 0 || r.counter.Orphans != 0 || r.counter.Malformed != 0 {
				t.Errorf("overruns %d, counter %+v", r.l.Overruns(), r.counter)
			}
			t.Logf("%d events, lost 0, backlog_wait_time_actual %d jiffies", n, after.BacklogWaitTimeActual)
		})
	}
}

// TestGuestFlood: with a large backlog and no wait (the drop policy), a
// workload floods getppid faster than the receiver reads. The kernel drops
// records and counts them, and what the registered daemon saw plus what the
// kernel counted must account for every event: kauditd blocks on the daemon
// socket (its send timeout is 100 ms), the backlog overflows and the
// producer's records are dropped at audit_log_start and counted.
//
// Without any receiver the kernel counts only what overflows its backlog
// (which depends on how kauditd is scheduled): kauditd drops every record
// it cannot deliver without counting it (kauditd_hold_skb, unless the
// kernel was booted with audit=1), so coverage cannot be reconciled.
func TestGuestFlood(t *testing.T) {
	audittest.RequireEnable(t)
	const n, backlog = 200000, 8192
	nr := getppidNumber(t)
	dropPolicy := auditnl.Status{BacklogLimit: backlog, BacklogWaitTime: 0}
	mask := auditnl.MaskBacklogLimit | auditnl.MaskBacklogWaitTime

	// run floods with a registered daemon reading, or with no receiver.
	run := func(t *testing.T, withReceiver bool) (auditnl.Coverage, *receiver) {
		c := audittest.Enable(t, dropPolicy, mask)
		var r *receiver
		if withReceiver {
			// The default receive buffer: the socket fills at once, kauditd
			// blocks on it and the backlog overflows, so that the producer's
			// records are dropped and counted where it makes them.
			r = listen(t, true, 0)
		}
		work := audittest.StartGetppid(t, n, audittest.ChildOptions{})
		arch, _ := auditnl.NativeArch()
		rule, err := auditnl.SyscallRule(arch, []string{"getppid"}, "tb-flood", auditnl.Equals(auditnl.FieldPID, uint32(work.PID())))
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
		if r != nil {
			r.readUntil(t, work)
			r.drain(t)
		}
		work.Wait(t)
		after, err := c.Status()
		if err != nil {
			t.Fatal(err)
		}
		counter := auditnl.NewCounter(auditnl.FromNetlink)
		if r != nil {
			counter = r.counter
		}
		return auditnl.Reconcile(n, auditnl.LostSince(before, after), counter, "tb-flood", nr), r
	}

	t.Run("daemon", func(t *testing.T) {
		// The receiver must take each record within kauditd's 100 ms send
		// timeout, on a one-CPU guest shared with the flooding workload:
		// raise its priority as auditd does for itself (priority_boost).
		boostThisThread(t, -10)
		cov, r := run(t, true)
		t.Logf("coverage %+v; incomplete events %d, overruns %d", cov, r.counter.Incomplete, r.l.Overruns())
		if cov.LostRecords == 0 || cov.Seen == 0 {
			t.Errorf("flood of %d events with backlog %d and no wait: seen %d, lost %d; want both > 0", n, backlog, cov.Seen, cov.LostRecords)
		}
		// The accounting is exact while the daemon takes every record within
		// kauditd's 100 ms send timeout. A record that misses it (an overrun)
		// goes to a retry queue and is usually delivered later, but is
		// dropped uncounted if the retry fails too.
		switch accounted := cov.Unexplained == 0 && r.counter.Orphans == 0; {
		case accounted:
		case r.l.Overruns() > 0:
			t.Skipf("receiver overran %d times; %d events unaccounted, %d orphans: lost uncounted after failed retries",
				r.l.Overruns(), cov.Unexplained, r.counter.Orphans)
		default:
			t.Errorf("seen %d + lost %d != produced %d (unexplained %d, orphans %d) although the receiver never overran",
				cov.Seen, cov.LostEvents, n, cov.Unexplained, r.counter.Orphans)
		}
	})
	t.Run("no-receiver", func(t *testing.T) {
		cov, _ := run(t, false)
		t.Logf("coverage %+v", cov)
		if cov.Seen != 0 || cov.Unexplained <= 0 {
			t.Errorf("no receiver: seen %d, unexplained %d; want 0 and > 0 (records dropped uncounted)", cov.Seen, cov.Unexplained)
		}
	})
}
