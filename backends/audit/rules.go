package audit

import (
	"fmt"
	"strings"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/auditnl"
)

// syscalls are the system calls whose audit events stand for each event.
// exec is one successful execve (or execveat: the same event).
var syscalls = map[event.Event][]string{
	event.Getppid: {"getppid"},
	event.Openat:  {"openat"},
	event.Exec:    {"execve", "execveat"},
	event.Connect: {"connect"},
}

// probePoint names an event's audit hook as `tracebench backends` shows it.
func probePoint(ev event.Event) string {
	return "exit,always syscall=" + strings.Join(syscalls[ev], ",")
}

// ruleKey is the key of ev's rule in a Setup tagged tag: every record of
// the rule's events carries it, which is how the receiver tells them from
// records of other rules.
func ruleKey(tag string, ev event.Event) string {
	return "tracebench_" + tag + "_" + ev.String()
}

// eventRule builds the exit-filter rule for ev, restricted to the
// workload by its audit login uid (auid).
//
// The login uid is what selects the workload's process tree exactly: the
// agent sets it once for itself, every process it forks inherits it
// across fork and exec, the harness gives each cell a value no login
// uses, and an unprivileged task cannot change it. A pid field would miss
// the exec event (execve runs in a forked child), a ppid field would miss
// the agent's own calls and count the children of other processes it
// does not start, and a key alone filters nothing.
func eventRule(arch auditnl.Arch, ev event.Event, tag string, f backends.Filter) (auditnl.Rule, error) {
	names, ok := syscalls[ev]
	if !ok {
		return auditnl.Rule{}, backends.Unsupportedf(backends.NotApplicable, "audit has no syscall rule for %s", ev)
	}
	if f.LoginUID == 0 || f.LoginUID == auditnl.UnsetLoginUID {
		return auditnl.Rule{}, backends.Unsupportedf(backends.Permission,
			"the workload has no audit login uid of its own (writing /proc/self/loginuid was refused: loginuid_immutable?), so no rule can select it exactly")
	}
	filters := []auditnl.Field{auditnl.Equals(auditnl.FieldLoginUID, f.LoginUID)}
	if ev == event.Exec {
		filters = append(filters, auditnl.Equals(auditnl.FieldSuccess, 1))
	}
	r, err := auditnl.SyscallRule(arch, names, ruleKey(tag, ev), filters...)
	if err != nil {
		return auditnl.Rule{}, fmt.Errorf("audit rule for %s: %w", ev, err)
	}
	return r, nil
}

// syscallNumbers returns the numbers of ev's syscalls on arch.
func syscallNumbers(arch auditnl.Arch, ev event.Event) []int {
	var out []int
	for _, name := range syscalls[ev] {
		if nr, err := arch.SyscallNumber(name); err == nil {
			out = append(out, nr)
		}
	}
	return out
}
