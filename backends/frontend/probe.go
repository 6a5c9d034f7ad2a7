package frontend

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/cgroup"
	"github.com/tracebench/tracebench/internal/mounts"
)

// Probe runs the tool for real on each event and mode, filtered to the
// plugin's own cgroup, and stops it: whether the tool is installed,
// compiles its program and attaches on this kernel is only known by
// trying.
func (b *Backend) Probe(ctx context.Context, req backends.ProbeRequest) ([]backends.Support, error) {
	self, err := ownCgroup()
	if err != nil {
		return nil, err
	}
	var out []backends.Support
	for _, mode := range req.Modes {
		for _, ev := range req.Events {
			s := backends.Support{Event: ev, Mode: mode}
			trial := &Backend{tool: b.tool}
			point, err := backends.Trial(ctx, trial, backends.Setup{Events: []event.Event{ev}, Mode: mode, Filter: self, Options: req.Options, Tag: req.Tag})
			if err != nil {
				s.Reason = reason(err)
			} else {
				s.ProbePoint = point
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// reason is err's classified reason (failed when unclassified).
func reason(err error) *backends.Unsupported {
	if u, ok := backends.AsUnsupported(err); ok {
		return u
	}
	return backends.Unsupportedf(backends.Failed, "%v", err)
}

// ownCgroup is the filter of the calling process: its cgroup v2 and pid.
func ownCgroup() (backends.Filter, error) {
	root, err := mounts.Find("cgroup2")
	if err != nil || root == "" {
		return backends.Filter{}, fmt.Errorf("probe: no cgroup2 mount to filter on (%v)", err)
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return backends.Filter{}, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "0::"); ok {
			path := strings.TrimSuffix(root+rest, "/")
			id, err := cgroup.ID(path)
			if err != nil {
				return backends.Filter{}, err
			}
			return backends.Filter{CgroupID: id, CgroupPath: path, PID: os.Getpid()}, nil
		}
	}
	return backends.Filter{}, fmt.Errorf("probe: /proc/self/cgroup has no cgroup v2 entry")
}
