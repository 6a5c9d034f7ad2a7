package ftrace

import (
	"context"
	"errors"
	"fmt"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/internal/tracefs"
	"github.com/tracebench/tracebench/kstate"
)

// Plan lists what Setup creates that outlives the plugin process: the
// tracefs mount if none is mounted, one instance per event and, for
// backends that define probes, one kprobe event per event. Everything set
// inside an instance (enabled events, pid filters, the tracer and its
// function filter, buffer size) goes with it.
func (b *Backend) Plan(_ context.Context, s backends.Setup) ([]kstate.Change, error) {
	out, err := plan(b.spec, s)
	if err == nil {
		b.plans[s.Tag] = out
	}
	return out, err
}

// plan computes the changes of s; see Plan.
func plan(spec Spec, s backends.Setup) ([]kstate.Change, error) {
	var out []kstate.Change
	root, err := tracefs.MountPoint()
	if errors.Is(err, tracefs.ClassNotMounted) {
		root = tracefs.DefaultMountPoint
		out = append(out, kstate.Change{Kind: kstate.Mount, Path: root, Note: "tracefs"})
	} else if err != nil {
		return nil, err
	}
	for _, ev := range s.Events {
		name := objectName(s.Tag, ev)
		out = append(out, kstate.Change{Kind: kstate.Dir, Path: instancePath(root, name), Note: "trace instance"})
		if spec.Probes {
			out = append(out, kstate.Change{Kind: kstate.KprobeEvent, Path: probeFile(root), Name: tracefs.ProbeGroup + "/" + name, Note: "kprobe event"})
		}
	}
	return out, nil
}

// planFor returns the plan Setup s must keep to: the one Plan returned for
// its tag (the harness journaled that one, even if tracefs was mounted or
// unmounted since), or a fresh one for a Setup that was not planned.
func (b *Backend) planFor(s backends.Setup) ([]kstate.Change, error) {
	if p, ok := b.plans[s.Tag]; ok {
		return p, nil
	}
	return plan(b.spec, s)
}

// planned returns the callback tracefs announces each lasting change to:
// it refuses any change that plan does not list, so a change the harness
// has not journaled is never made.
func planned(plan []kstate.Change) func(tracefs.Change) error {
	kinds := map[tracefs.ChangeKind]kstate.Kind{
		tracefs.ChangeMount:    kstate.Mount,
		tracefs.ChangeInstance: kstate.Dir,
		tracefs.ChangeProbe:    kstate.KprobeEvent,
	}
	return func(c tracefs.Change) error {
		for _, p := range plan {
			if p.Kind == kinds[c.Kind] && p.Path == c.Path && p.Name == c.Name {
				return nil
			}
		}
		return fmt.Errorf("unplanned kernel change: tracefs %s %s %s", c.Kind, c.Path, c.Name)
	}
}
