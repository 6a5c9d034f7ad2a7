package auditnl

// LostSince returns the records the kernel dropped between two status
// readings. The kernel's counter is 32 bits and wraps; it is never reset
// here (resetting it would change state other tools rely on).
func LostSince(before, after Status) uint32 { return after.Lost - before.Lost }

// Coverage reconciles, for one measurement window, the events a workload
// produced with the events a receiver saw and the records the kernel says
// it dropped.
//
// The kernel counts lost records, not events (audit_log_lost in
// kernel/audit.c). When it drops a SYSCALL record, audit_log_exit gives up
// on the whole event: one lost record, one lost event. When it drops a later
// record of the event (PROCTITLE, EOE, PATH), the event still arrives, one
// record short. So the events lost whole are the lost records minus the
// records missing from events that were seen. Records missing in ways
// MissingRecords does not detect (a dropped CWD, SOCKADDR or EXECVE
// continuation record) and records other audit rules lost in the same
// window make LostEvents too large; the harness runs one rule at a time and
// getppid events (SYSCALL, PROCTITLE, EOE) have no such records.
//
// An auditd log never holds EOE records, so a dropped EOE of an event that
// was logged leaves no trace: with records FromLog, LostEvents may be too
// large by up to Seen, and Uncertainty says so.
type Coverage struct {
	Produced       uint64 // events the workload made: the ground truth
	Seen           uint64 // events received with their SYSCALL record
	LostRecords    uint64 // the kernel's lost counter over the window
	MissingRecords uint64 // records missing from seen events
	// LostEvents are the events the kernel dropped whole:
	// LostRecords - MissingRecords.
	LostEvents int64
	// Unexplained is Produced - Seen - LostEvents: events neither seen nor
	// accounted for by the kernel (a receiver overrun, a filter that missed).
	Unexplained int64
	// Uncertainty bounds the records whose loss the receiver cannot see;
	// the true number of unexplained events lies in
	// [Unexplained, Unexplained+Uncertainty]. It is 0 for netlink
	// receivers and Seen for an auditd log (its missing EOE records).
	Uncertainty int64
}

// Reconcile computes the coverage of one rule key and syscall from a
// workload's ground truth, the kernel's lost counter over the window and
// what c counted.
func Reconcile(produced uint64, lostRecords uint32, c *Counter, key string, nr int) Coverage {
	cov := Coverage{
		Produced:       produced,
		Seen:           c.Count(key, nr),
		LostRecords:    uint64(lostRecords),
		MissingRecords: c.MissingRecords,
	}
	cov.LostEvents = int64(cov.LostRecords) - int64(cov.MissingRecords)
	cov.Unexplained = int64(cov.Produced) - int64(cov.Seen) - cov.LostEvents
	if c.src == FromLog {
		cov.Uncertainty = int64(cov.Seen)
	}
	return cov
}
