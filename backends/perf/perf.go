// Package perf is what the perf backends (perf/hpc, perf/lbr) and
// ebpf/perf_event share: the workload's cgroup as the scope of their perf
// events, the classification of what perf_event_open refuses, and sampling
// cells — their options, a session reading the rings from Attach to Detach,
// and what coverage means for them: samples received against the samples
// the frequency and the workload's CPU time call for, with ring overflows,
// PMU drops and throttling as losses.
package perf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/internal/mounts"
	"github.com/tracebench/tracebench/internal/perfevent"
)

// Classify turns a perfevent error into the reason the backend cannot
// observe on this kernel, or nil when err is not such a refusal.
func Classify(err error) *backends.Unsupported {
	if u, ok := backends.AsUnsupported(err); ok {
		return u
	}
	switch {
	case errors.Is(err, perfevent.ErrNoPMU), errors.Is(err, perfevent.ErrNoHardwareEvent), errors.Is(err, perfevent.ErrNoBranchStack):
		return backends.Unsupportedf(backends.NoPMU, "%v", err)
	case errors.Is(err, perfevent.ErrPermission):
		return backends.Unsupportedf(backends.Permission, "%v", err)
	case errors.Is(err, perfevent.ErrMissingConfig):
		return backends.Unsupportedf(backends.MissingConfig, "%v", err)
	case errors.Is(err, perfevent.ErrUnknownEvent):
		return backends.Unsupportedf(backends.MissingSymbol, "%v", err)
	}
	return nil
}

// Unsupported returns err as an *backends.Unsupported when Classify
// recognises it, else err unchanged.
func Unsupported(err error) error {
	if u := Classify(err); u != nil {
		return u
	}
	return err
}

// Scope is the perf scope of the workload f describes: its cgroup, on
// every CPU. A cgroup event follows the whole process tree — threads that
// existed before the event was opened, children and their exec'ed
// programs — and nothing else, exactly what the eBPF backends filter on;
// a per-process event with inherit misses the threads the workload already
// had. With no workload (a probe), the plugin's own cgroup stands in.
func Scope(f backends.Filter) (perfevent.Task, error) {
	if f.CgroupPath != "" {
		return perfevent.Task{Cgroup: f.CgroupPath, Disabled: true}, nil
	}
	own, err := ownCgroup()
	if err != nil {
		return perfevent.Task{}, err
	}
	return perfevent.Task{Cgroup: own, Disabled: true}, nil
}

// ownCgroup is the calling process's cgroup v2 directory.
func ownCgroup() (string, error) {
	root, err := mounts.Find("cgroup2")
	if err != nil {
		return "", err
	}
	if root == "" {
		return "", backends.Unsupportedf(backends.MissingConfig, "no cgroup2 mount: perf backends scope their events to the workload's cgroup v2")
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return filepath.Join(root, p), nil
		}
	}
	return "", fmt.Errorf("/proc/self/cgroup has no cgroup v2 entry")
}
