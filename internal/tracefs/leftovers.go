package tracefs

import (
	"os"
	"strings"
)

// LeftoverKind is the kind of tracing state a Leftover is.
type LeftoverKind string

const (
	// LeftoverInstance is an instance named InstancePrefix*.
	LeftoverInstance LeftoverKind = "instance"
	// LeftoverProbe is a probe event in ProbeGroup.
	LeftoverProbe LeftoverKind = "probe"
	// LeftoverGlobalEvent is an event enabled in the global buffer.
	// tracebench never enables one, but one enabled by another tool taxes
	// every measurement of that event.
	LeftoverGlobalEvent LeftoverKind = "global-event"
)

// Leftover is tracing state found in the kernel that a `doctor` should show.
type Leftover struct {
	Kind LeftoverKind
	// Path is the instance directory, the probe file, or set_event.
	Path string
	// Name is the instance name, or the event as "group/name".
	Name string
	// Ours is whether tracebench's naming says it made it.
	Ours bool
}

// Leftovers lists tracebench's instances and probe events, and every event
// enabled in the global buffer. It only reads.
func (fs *FS) Leftovers() ([]Leftover, error) {
	var out []Leftover
	ents, err := os.ReadDir(fs.path("instances"))
	if err != nil && !os.IsNotExist(err) {
		return nil, wrap("list", fs.path("instances"), err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), InstancePrefix) {
			out = append(out, Leftover{Kind: LeftoverInstance, Path: fs.path("instances", e.Name()), Name: e.Name(), Ours: true})
		}
	}
	for _, k := range []ProbeKind{KProbe, UProbe} {
		name, _ := k.file()
		p := fs.path(name)
		if !exists(p) {
			continue
		}
		b, err := readFile(p)
		if err != nil {
			return nil, err
		}
		for _, ev := range probeEvents(b) {
			if strings.HasPrefix(ev, ProbeGroup+"/") {
				out = append(out, Leftover{Kind: LeftoverProbe, Path: p, Name: ev, Ours: true})
			}
		}
	}
	p := fs.path("set_event")
	b, err := readFile(p)
	if err != nil {
		return nil, err
	}
	for _, ev := range strings.Fields(string(b)) { // "group:name"
		group, _, _ := strings.Cut(ev, ":")
		out = append(out, Leftover{Kind: LeftoverGlobalEvent, Path: p, Name: strings.Replace(ev, ":", "/", 1), Ours: group == ProbeGroup})
	}
	return out, nil
}
