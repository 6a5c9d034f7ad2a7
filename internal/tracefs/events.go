package tracefs

import (
	"errors"
	"strconv"
	"strings"
)

// Event names a trace event: a tracepoint (syscalls:sys_enter_getppid), or
// a probe event defined through kprobe_events or uprobe_events.
type Event struct {
	Group string // the "system": syscalls, sched, tracebench…
	Name  string
}

// ParseEvent parses "group:name" (the set_event spelling) or "group/name".
func ParseEvent(s string) (Event, error) {
	g, n, ok := strings.Cut(s, ":")
	if !ok {
		g, n, ok = strings.Cut(s, "/")
	}
	ev := Event{Group: g, Name: n}
	if !ok || !ev.valid() {
		return Event{}, badInput("parse event", "", "event %q: want group:name", s)
	}
	return ev, nil
}

func (ev Event) String() string { return ev.Group + ":" + ev.Name }

func (ev Event) valid() bool { return validName(ev.Group, "") && validName(ev.Name, "") }

// eventFile is events/<group>/<name>/<file> under dir, or an error of
// ClassBadInput for a malformed name.
func eventFile(dir string, ev Event, file string) (string, error) {
	p := dir + "/events/" + ev.Group + "/" + ev.Name + "/" + file
	if !ev.valid() {
		return "", badInput("event", p, "event %q: group and name must be letters, digits, '_'", ev)
	}
	return p, nil
}

// missingEvent reclassifies ENOENT on an event's file: the kernel has no
// such event, so the probe point is missing.
func missingEvent(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Class == ClassMissingConfig {
		e.Class = ClassMissingSymbol
		e.Detail = "no such trace event on this kernel"
	}
	return err
}

// EnableEvent starts recording ev into the instance's buffer. A tracepoint
// or probe event the kernel does not have fails with ClassMissingSymbol.
func (in *Instance) EnableEvent(ev Event) error { return in.setEvent(ev, true) }

// DisableEvent stops recording ev; what is recorded stays in the buffer.
func (in *Instance) DisableEvent(ev Event) error { return in.setEvent(ev, false) }

func (in *Instance) setEvent(ev Event, on bool) error {
	p, err := eventFile(in.dir, ev, "enable")
	if err != nil {
		return err
	}
	return missingEvent(writeBool(p, on))
}

// SetEventFilter sets ev's filter in this instance (events.rst, "Event
// filtering"), e.g. "common_pid == 42"; "" removes it. A filter the kernel
// cannot parse fails with ClassBadInput and the kernel's reason in Detail
// (which the kernel writes into the filter file, not error_log).
func (in *Instance) SetEventFilter(ev Event, expr string) error {
	p, err := eventFile(in.dir, ev, "filter")
	if err != nil {
		return err
	}
	if expr == "" {
		expr = "0"
	}
	err = missingEvent(writeFile(p, expr))
	var e *Error
	if errors.As(err, &e) && e.Class == ClassBadInput {
		if b, rerr := readFile(p); rerr == nil {
			// "common_pid === 1\n ^\nparse_error: Invalid value…"
			if _, msg, ok := strings.Cut(string(b), "parse_error: "); ok {
				e.Detail = "kernel: " + strings.TrimSpace(msg)
			}
		}
	}
	return err
}

// EventFilter is ev's filter in this instance, "" if none.
func (in *Instance) EventFilter(ev Event) (string, error) {
	p, err := eventFile(in.dir, ev, "filter")
	if err != nil {
		return "", err
	}
	b, err := readFile(p)
	if err != nil {
		return "", missingEvent(err)
	}
	s := strings.TrimSpace(string(b))
	if s == "none" {
		return "", nil
	}
	return s, nil
}

// EventID is the type id the kernel writes as common_type at the start of
// every record of ev (events/<group>/<name>/id). Ids are global, but a
// probe event's id changes each time it is defined.
func (fs *FS) EventID(ev Event) (uint16, error) {
	p, err := eventFile(fs.root, ev, "id")
	if err != nil {
		return 0, err
	}
	v, err := readUint(p)
	if err != nil {
		return 0, missingEvent(err)
	}
	if v > 0xffff {
		return 0, badInput("parse", p, "event id %d does not fit common_type", v)
	}
	return uint16(v), nil
}

// EventFormat reads and parses ev's record layout (events/<group>/<name>/format).
func (fs *FS) EventFormat(ev Event) (*Format, error) {
	p, err := eventFile(fs.root, ev, "format")
	if err != nil {
		return nil, err
	}
	b, err := readFile(p)
	if err != nil {
		return nil, missingEvent(err)
	}
	f, err := ParseFormat(b)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Path = p
		}
		return nil, err
	}
	return f, nil
}

// SetEventPIDs restricts the instance's events to the given tasks
// (set_event_pid; the kernel checks the pid of the task that hits the
// event, so name thread ids for threads). With followForks
// (options/event-fork, Linux 4.7+), tasks (threads too) forked by a listed
// task are added as they fork, and removed when the kernel frees them, an
// RCU grace period after they are reaped. No pids removes the restriction.
//
// event-fork is set before the list, so a child forked right after the list
// is written is already followed.
func (in *Instance) SetEventPIDs(followForks bool, pids ...int) error {
	if err := in.SetOption("event-fork", followForks); err != nil {
		return err
	}
	return writePIDs(in.path("set_event_pid"), pids)
}

func writePIDs(path string, pids []int) error {
	s := make([]string, len(pids))
	for i, pid := range pids {
		if pid <= 0 {
			return badInput("write", path, "pid %d", pid)
		}
		s[i] = strconv.Itoa(pid)
	}
	return writeFile(path, strings.Join(s, " "))
}
