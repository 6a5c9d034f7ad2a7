package tracefs

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"
)

// ProbeGroup is the event group of every probe event tracebench defines,
// so that Leftovers finds them after a crash.
const ProbeGroup = "tracebench"

// ProbeKind selects the probe type and the tracefs file that defines it.
type ProbeKind int

const (
	// KProbe fires on entry to a kernel function (kprobetrace.rst);
	// needs CONFIG_KPROBE_EVENTS.
	KProbe ProbeKind = iota
	// KRetProbe fires on return from a kernel function.
	KRetProbe
	// UProbe fires on a user-space instruction (uprobetracer.rst);
	// needs CONFIG_UPROBE_EVENTS.
	UProbe
	// URetProbe fires on return from a user-space function.
	URetProbe
)

func (k ProbeKind) file() (name, config string) {
	if k == UProbe || k == URetProbe {
		return "uprobe_events", "CONFIG_UPROBE_EVENTS"
	}
	return "kprobe_events", "CONFIG_KPROBE_EVENTS"
}

func (k ProbeKind) letter() string {
	if k == KRetProbe || k == URetProbe {
		return "r"
	}
	return "p"
}

// Probe is a dynamic trace event in ProbeGroup. Once added, it is an Event
// like a tracepoint: enabled per instance, with an id and a format.
type Probe struct {
	Kind ProbeKind
	// Name is the event's name within ProbeGroup.
	Name string
	// Target is where it fires: a kernel symbol, optionally +offset
	// ("do_sys_openat2") for kprobes; PATH:0xOFFSET (a file offset) for
	// uprobes.
	Target string
}

// Event is the probe's trace event.
func (p Probe) Event() Event { return Event{Group: ProbeGroup, Name: p.Name} }

func (p Probe) validate(path string) error {
	if !validName(p.Name, "") || p.Target == "" || strings.ContainsAny(p.Target, " \t\n") || p.Kind < KProbe || p.Kind > URetProbe {
		return badInput("add probe", path, "probe %+v: want a name of letters, digits, '_' and a target without spaces", p)
	}
	return nil
}

// probeFile is the defining file of kind k, or a ClassMissingConfig error
// naming the config option if this kernel has none.
func (fs *FS) probeFile(k ProbeKind, op string) (string, error) {
	name, config := k.file()
	path := fs.path(name)
	if !exists(path) {
		return "", &Error{Class: ClassMissingConfig, Op: op, Path: path, Err: unix.ENOENT, Detail: "kernel built without " + config}
	}
	return path, nil
}

// AddProbe defines p ("p:tracebench/name target" appended to kprobe_events
// or uprobe_events). Without the defining file it fails with
// ClassMissingConfig; a target the kernel cannot find fails with
// ClassMissingSymbol (kernel's reason in Detail); an existing probe of that
// name with ClassBusy.
func (fs *FS) AddProbe(p Probe) error {
	path, err := fs.probeFile(p.Kind, "add probe")
	if err != nil {
		return err
	}
	if err := p.validate(path); err != nil {
		return err
	}
	name := ProbeGroup + "/" + p.Name
	if err := fs.announce(Change{Kind: ChangeProbe, Path: path, Name: name}); err != nil {
		return err
	}
	def := p.Kind.letter() + ":" + name + " " + p.Target
	err = fs.explained(func() error { return appendFile(path, def) })
	var e *Error
	if errors.As(err, &e) && errors.Is(err, unix.ENOENT) {
		e.Class = ClassMissingSymbol
	}
	return err
}

// RemoveProbe deletes p's definition. It fails with ClassBusy while p is
// enabled in some instance. Removing a probe that does not exist is not an
// error.
func (fs *FS) RemoveProbe(p Probe) error {
	path, err := fs.probeFile(p.Kind, "remove probe")
	if err != nil {
		return err
	}
	if !validName(p.Name, "") {
		return badInput("remove probe", path, "probe name %q", p.Name)
	}
	err = fs.explained(func() error { return appendFile(path, "-:"+ProbeGroup+"/"+p.Name) })
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	return err
}

// probeEvents lists the events defined in a probe file, as "group/name".
func probeEvents(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		// "p:tracebench/getppid __x64_sys_getppid"
		def, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if _, name, ok := strings.Cut(def, ":"); ok {
			out = append(out, name)
		}
	}
	return out
}
