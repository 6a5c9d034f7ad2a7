// Package kstate names the kernel state tracebench changes and knows how to
// undo each change without the code that made it.
//
// tracebench runs as root and changes shared kernel state: tracefs instances,
// enabled events, ftrace filters, kprobe events, cgroups, audit rules and
// status, helper daemons. Before a change is made, the harness records a
// Change (what and how to undo it) in a Journal. If the backend that made the
// change crashes, or tracebench itself is killed, the harness or the next
// start of tracebench replays the journal and undoes what is left, so the
// kernel ends as it was found. Undo is idempotent: undoing a change that was
// already undone, or never fully made, is not an error.
package kstate

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/internal/cgroup"
)

// Kind is the class of a change; it selects the undo action.
type Kind string

const (
	// File is a write to a kernel file (a tracefs knob, a sysctl); undo
	// writes Restore back to Path.
	File Kind = "file"
	// Dir is a directory created in a kernel filesystem (a tracefs
	// instance, a cgroup); undo removes it.
	Dir Kind = "dir"
	// Mount is a filesystem mounted by tracebench (tracefs, cgroup2); undo
	// unmounts Path.
	Mount Kind = "mount"
	// KprobeEvent is a probe added to a tracefs kprobe_events file (Path);
	// undo removes the probe named Name ("group/event").
	KprobeEvent Kind = "kprobe-event"
	// Process is a helper process (e.g. an audit daemon); undo kills PID if
	// it is still the same process (same StartTime).
	Process Kind = "process"
	// Pin is an object pinned in bpffs; undo unlinks Path.
	Pin Kind = "pin"
	// Cgroup is a cgroup v2 directory created for a workload; undo kills
	// what still runs in it and removes it.
	Cgroup Kind = "cgroup"
)

// Change is one kernel state change and what undoes it.
type Change struct {
	// ID is unique within a journal; the journal assigns it.
	ID int `json:"id"`
	// Owner is who made the change: a backend name, or "harness".
	Owner string `json:"owner"`
	Kind  Kind   `json:"kind"`
	// Path is the file, directory or mount point the change applies to.
	Path string `json:"path,omitempty"`
	// Name identifies the object within Path (a kprobe event name).
	Name string `json:"name,omitempty"`
	// Restore is the content to write back, for File changes.
	Restore string `json:"restore,omitempty"`
	// Data carries kind-specific undo data (e.g. an audit rule's wire form).
	Data []byte `json:"data,omitempty"`
	// PID and StartTime identify a helper process, for Process changes.
	PID       int    `json:"pid,omitempty"`
	StartTime uint64 `json:"start_time,omitempty"`
	// Note is a human-readable description for `tracebench doctor`.
	Note string `json:"note,omitempty"`
}

func (c Change) String() string {
	s := fmt.Sprintf("%s %s", c.Kind, c.Path)
	if c.Name != "" {
		s += " " + c.Name
	}
	if c.PID != 0 {
		s += " pid " + strconv.Itoa(c.PID)
	}
	if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	return s
}

// Undoer undoes one kind of change. Backends whose changes need more than
// the built-in kinds (audit rules and status) register an Undoer.
type Undoer func(Change) error

var (
	undoMu  sync.RWMutex
	undoers = map[Kind]Undoer{
		File:        undoFile,
		Dir:         undoDir,
		Mount:       undoMount,
		KprobeEvent: undoKprobeEvent,
		Process:     undoProcess,
		Pin:         undoPin,
		Cgroup:      undoCgroup,
	}
)

// Register adds an undo action for a kind of change. It panics if the kind
// is already registered: two meanings for one kind would corrupt journals.
func Register(k Kind, u Undoer) {
	undoMu.Lock()
	defer undoMu.Unlock()
	if _, dup := undoers[k]; dup {
		panic("kstate: kind registered twice: " + string(k))
	}
	undoers[k] = u
}

// Known reports whether changes of kind k can be undone by this binary.
func Known(k Kind) bool {
	undoMu.RLock()
	defer undoMu.RUnlock()
	_, ok := undoers[k]
	return ok
}

// Undo reverts c. It is idempotent.
func Undo(c Change) error {
	undoMu.RLock()
	u, ok := undoers[c.Kind]
	undoMu.RUnlock()
	if !ok {
		return fmt.Errorf("undo %s: unknown kind of change %q", c, c.Kind)
	}
	if err := u(c); err != nil {
		return fmt.Errorf("undo %s: %w", c, err)
	}
	return nil
}

func undoFile(c Change) error {
	err := os.WriteFile(c.Path, []byte(c.Restore), 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil // the file went away with its instance
	}
	return err
}

// undoDir removes a directory created in a kernel filesystem. A busy
// directory (a cgroup whose last process is still exiting, a tracefs
// instance whose reader is closing) is retried briefly.
func undoDir(c Change) error {
	var err error
	for range 50 {
		err = unix.Rmdir(c.Path)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

func undoMount(c Change) error {
	err := unix.Unmount(c.Path, 0)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
		return nil // not mounted (any more)
	}
	return err
}

func undoKprobeEvent(c Change) error {
	f, err := os.OpenFile(c.Path, os.O_WRONLY|os.O_APPEND, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString("-:" + c.Name + "\n")
	if errors.Is(err, unix.ENOENT) {
		return nil // no such probe: already removed
	}
	return err
}

func undoProcess(c Change) error {
	st, err := ProcessStartTime(c.PID)
	if errors.Is(err, os.ErrNotExist) || (err == nil && st != c.StartTime) {
		return nil // gone, or the pid was reused by another process
	}
	if err != nil {
		return err
	}
	if err := unix.Kill(c.PID, unix.SIGTERM); err != nil && !errors.Is(err, unix.ESRCH) {
		return err
	}
	for range 100 {
		if st, err := ProcessStartTime(c.PID); err != nil || st != c.StartTime {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := unix.Kill(c.PID, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
		return err
	}
	return nil
}

func undoCgroup(c Change) error {
	return (&cgroup.Group{Path: c.Path}).Remove()
}

func undoPin(c Change) error {
	err := os.Remove(c.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// ProcessStartTime returns a process's start time in clock ticks since boot
// (field 22 of /proc/PID/stat). With the pid it identifies a process even
// across pid reuse. A zombie counts as gone.
func ProcessStartTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return 0, os.ErrNotExist
		}
		return 0, err
	}
	s := string(b)
	// comm (field 2) may contain spaces and parentheses: split after the last ')'.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc/%d/stat: no ')'", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 {
		return 0, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, len(f)+2)
	}
	if f[0] == "Z" || f[0] == "X" {
		return 0, os.ErrNotExist
	}
	return strconv.ParseUint(f[19], 10, 64)
}
