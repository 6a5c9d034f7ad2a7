package tracefs

import (
	"bufio"
	"bytes"
	"errors"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultMountPoint is where tracefs lives since Linux 4.1; before that, and
// still on many systems, it is also reachable as debugfs's tracing/.
const DefaultMountPoint = "/sys/kernel/tracing"

// FS is a mounted tracefs.
type FS struct {
	root    string
	mounted bool
	before  func(Change) error
}

// ChangeKind names a kernel state change that outlives the call making it.
type ChangeKind string

const (
	// ChangeMount: tracefs mounted at Path; undo: unmount Path.
	ChangeMount ChangeKind = "mount"
	// ChangeInstance: trace instance directory Path created; undo: rmdir
	// Path. Everything set inside an instance goes with it.
	ChangeInstance ChangeKind = "instance"
	// ChangeProbe: probe event Name ("group/event") added to the probe
	// file Path (kprobe_events, uprobe_events); undo: append "-:Name".
	ChangeProbe ChangeKind = "probe"
)

// Change is announced to the caller before tracefs makes it, so the caller
// can journal its undo and replay it after a crash.
type Change struct {
	Kind ChangeKind
	Path string
	Name string
}

// Open finds the mounted tracefs (preferring DefaultMountPoint over
// debugfs's tracing/) in /proc/self/mountinfo, or mounts it at
// DefaultMountPoint if none is mounted. before, if not nil, is called with
// every Change before it is made (starting with the mount, if any); an error
// from it cancels the change.
func Open(before func(Change) error) (*FS, error) {
	fs := &FS{before: before}
	root, err := findMount("/proc/self/mountinfo")
	if err == nil {
		fs.root = root
		return fs, nil
	}
	if !errors.Is(err, ClassNotMounted) {
		return nil, err
	}
	if err := fs.announce(Change{Kind: ChangeMount, Path: DefaultMountPoint}); err != nil {
		return nil, err
	}
	if err := unix.Mount("nodev", DefaultMountPoint, "tracefs", 0, ""); err != nil {
		e := wrap("mount tracefs at", DefaultMountPoint, err).(*Error)
		if errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENOENT) {
			e.Detail = "no tracefs in this kernel (CONFIG_TRACING)"
		}
		return nil, e
	}
	fs.root, fs.mounted = DefaultMountPoint, true
	return fs, nil
}

// MountPoint returns where Open would find tracefs, without mounting it:
// a caller planning its changes learns whether Open will mount (an error of
// ClassNotMounted) and the paths its instances and probes will have.
func MountPoint() (string, error) {
	return findMount("/proc/self/mountinfo")
}

// Root is the tracefs mount point.
func (fs *FS) Root() string { return fs.root }

// Mounted reports whether Open mounted tracefs itself; the caller then owes
// an Unmount once it is done.
func (fs *FS) Mounted() bool { return fs.mounted }

// Unmount undoes the mount made by Open. It fails with ClassBusy while a
// tracefs file is open. It does nothing if Open found tracefs mounted.
func (fs *FS) Unmount() error {
	if !fs.mounted {
		return nil
	}
	if err := unix.Unmount(fs.root, 0); err != nil {
		return wrap("unmount", fs.root, err)
	}
	fs.mounted = false
	return nil
}

func (fs *FS) path(elem ...string) string {
	return filepath.Join(append([]string{fs.root}, elem...)...)
}

func (fs *FS) announce(c Change) error {
	if fs.before == nil {
		return nil
	}
	return fs.before(c)
}

// findMount returns the tracefs mount point listed in a mountinfo file.
func findMount(mountinfo string) (string, error) {
	b, err := readFile(mountinfo)
	if err != nil {
		return "", err
	}
	var found []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// "36 35 98:0 / /mnt rw,noatime master:1 - ext3 /dev/root rw"
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		fields, fstype := strings.Fields(pre), strings.Fields(post)
		if len(fields) < 5 || len(fstype) == 0 || fstype[0] != "tracefs" {
			continue
		}
		found = append(found, unescapeMountPath(fields[4]))
	}
	for _, p := range found {
		if p == DefaultMountPoint {
			return p, nil
		}
	}
	if len(found) > 0 {
		return found[0], nil
	}
	return "", &Error{Class: ClassNotMounted, Op: "find tracefs in", Path: mountinfo}
}

// unescapeMountPath undoes mountinfo's octal escapes ("\040" for a space).
func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
