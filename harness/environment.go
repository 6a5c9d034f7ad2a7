package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/internal/cgroup"
	"github.com/tracebench/tracebench/internal/mounts"
	"github.com/tracebench/tracebench/kstate"
)

// environment is what a run sets up once: the kernel filesystems backends
// and workloads need, and the CPU layout.
type environment struct {
	cgroupRoot  string
	workloadCPU int
	oldAffinity unix.CPUSet
	pinned      bool
}

// Default mount points for filesystems tracebench mounts when the system
// has not (a minimal host, a guest).
const (
	tracefsDir = "/sys/kernel/tracing"
	cgroup2Dir = "/run/tracebench/cgroup2"
)

func prepare(cfg Config, j *kstate.Journal) (*environment, error) {
	env := &environment{}
	// Backends find tracefs themselves, but many need it; mount it once
	// for the run, journaled, if the system has not.
	if err := ensureMount(j, "tracefs", tracefsDir); err != nil {
		return nil, err
	}
	root, err := mounts.Find("cgroup2")
	if err != nil {
		return nil, err
	}
	if root == "" {
		if err := ensureMount(j, "cgroup2", cgroup2Dir); err != nil {
			return nil, err
		}
		root = cgroup2Dir
		// Nothing manages this hierarchy: give child cgroups their
		// perf_event state (see cgroup.ActivateImplicit).
		if err := cgroup.ActivateImplicit(root); err != nil {
			return nil, err
		}
	}
	env.cgroupRoot = root
	env.pinCPUs()
	return env, nil
}

func ensureMount(j *kstate.Journal, fstype, dir string) error {
	point, err := mounts.Find(fstype)
	if err != nil || point != "" {
		return err
	}
	if _, err := j.Record(kstate.Change{Owner: "harness", Kind: kstate.Mount, Path: dir, Note: fstype}); err != nil {
		return err
	}
	if _, _, err := mounts.Ensure(fstype, dir); err != nil {
		return fmt.Errorf("%s is needed: %w", fstype, err)
	}
	return nil
}

// pinCPUs reserves the last CPU for workloads and moves the harness (and
// so the plugins it starts, which inherit its affinity) to the others, so
// that a backend's user-space work does not run on the workload's CPU. On
// one CPU everything shares it.
func (env *environment) pinCPUs() {
	n := runtime.NumCPU()
	env.workloadCPU = n - 1
	if n < 2 {
		return
	}
	if err := unix.SchedGetaffinity(0, &env.oldAffinity); err != nil {
		return
	}
	var rest unix.CPUSet
	for i := 0; i < n-1; i++ {
		rest.Set(i)
	}
	env.pinned = setAffinityAllThreads(&rest) == nil
}

func (env *environment) restoreAffinity() {
	if env.pinned {
		setAffinityAllThreads(&env.oldAffinity)
	}
}

func setAffinityAllThreads(set *unix.CPUSet) error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(filepath.Base(t.Name()))
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
			return err
		}
	}
	return nil
}
