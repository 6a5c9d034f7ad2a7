package auditnl

import (
	"fmt"
	"strings"
)

// Event is the records the kernel emitted for one audited action, in
// arrival order. For a syscall: SYSCALL, then the auxiliary records
// (EXECVE, SOCKADDR, CWD, PATH…), PROCTITLE, and EOE (audit_log_exit in
// kernel/auditsc.c).
type Event struct {
	Sec     int64
	Milli   uint16
	Serial  uint64
	Records []Record
}

// Has reports whether the event has a record of type t.
func (e *Event) Has(t uint16) bool { return e.count(t) > 0 }

func (e *Event) count(t uint16) int {
	n := 0
	for i := range e.Records {
		if e.Records[i].Type == t {
			n++
		}
	}
	return n
}

// first returns the first record of type t.
func (e *Event) first(t uint16) *Record {
	for i := range e.Records {
		if e.Records[i].Type == t {
			return &e.Records[i]
		}
	}
	return nil
}

// Syscall is what the SYSCALL record of an event says.
type Syscall struct {
	Arch    Arch
	Number  int
	Success bool
	Exit    int64
	PID     int
	PPID    int
	// AUID is the task's login uid; 4294967295 (AUDIT_UID_UNSET) if unset.
	AUID uint32
	// Key is the key of the rule that matched, "" if none.
	Key string
	// Items is the number of PATH records the kernel emitted with it.
	Items int
	Comm  string
	Exe   string
}

// Syscall decodes the event's SYSCALL record. ok is false when the event
// has none (not a syscall event, or its SYSCALL record was lost).
func (e *Event) Syscall() (s Syscall, ok bool, err error) {
	r := e.first(TypeSyscall)
	if r == nil {
		return Syscall{}, false, nil
	}
	wrap := func(err error) (Syscall, bool, error) {
		return Syscall{}, true, fmt.Errorf("SYSCALL record of event %d: %w", e.Serial, err)
	}
	arch, err := r.Uint("arch", 16)
	if err != nil {
		return wrap(err)
	}
	nr, err := r.Int("syscall")
	if err != nil {
		return wrap(err)
	}
	s = Syscall{Arch: Arch(arch), Number: int(nr)}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"pid", &s.PID}, {"ppid", &s.PPID}, {"items", &s.Items}} {
		v, err := r.Int(f.name)
		if err != nil {
			return wrap(err)
		}
		*f.dst = int(v)
	}
	auid, err := r.Uint("auid", 10)
	if err != nil {
		return wrap(err)
	}
	s.AUID = uint32(auid)
	// success and exit are absent when the syscall never returned (exit,
	// or a record logged while the task is still in the syscall).
	if v, ok := r.Get("success"); ok {
		s.Success = v == "yes"
		if s.Exit, err = r.Int("exit"); err != nil {
			return wrap(err)
		}
	}
	if k, ok := r.Text("key"); ok && k != "(null)" {
		s.Key = k
	}
	s.Comm, _ = r.Text("comm")
	s.Exe, _ = r.Text("exe")
	return s, true, nil
}

// Keys splits a record key into the keys of the rules that matched: auditctl
// joins several keys of one rule with \x01 (which makes the kernel
// hex-encode the key).
func Keys(key string) []string {
	if key == "" {
		return nil
	}
	return strings.Split(key, "\x01")
}

// Source says where records were read, which decides which records an
// event is expected to have.
type Source int

const (
	// FromNetlink: records as the kernel sent them.
	FromNetlink Source = iota
	// FromLog: records from an auditd log, which never holds EOE records
	// (auditd uses them to end events and does not write them).
	FromLog
)

// MissingRecords counts the records a syscall event should have but lacks:
// PROCTITLE and (from netlink) EOE, which the kernel emits for every
// syscall event, and the PATH records its SYSCALL record announces with
// items=. Each missing record was dropped and counted in the kernel's lost
// counter, or never reached this receiver. It returns 0 for events without
// a SYSCALL record.
func (e *Event) MissingRecords(src Source) int {
	s, ok, err := e.Syscall()
	if !ok || err != nil {
		return 0
	}
	expected := []uint16{TypeProctitle, TypeEOE}
	if src == FromLog {
		expected = expected[:1]
	}
	missing := 0
	for _, t := range expected {
		if !e.Has(t) {
			missing++
		}
	}
	if n := s.Items - e.count(TypePath); n > 0 {
		missing += n
	}
	return missing
}
