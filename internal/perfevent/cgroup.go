package perfevent

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// cgroupsPath lists the kernel's cgroup controllers and the hierarchy each
// is bound to (0: the cgroup v2 hierarchy, or none).
const cgroupsPath = "/proc/cgroups"

// cgroupError classifies a perf_event_open refused because of its cgroup
// (perf_cgroup_connect): EINVAL when the kernel has no CONFIG_CGROUP_PERF,
// EBADF when the fd is not a cgroup directory, ENOENT when the perf_event
// controller has no state in that cgroup (perf_event mounted on a v1
// hierarchy, or implicit controllers not yet instantiated in child cgroups
// of v2). ok is false when the error is not the cgroup's.
func cgroupError(p placement, err error) (class error, detail string, ok bool) {
	if p.cgroup == "" {
		return nil, "", false
	}
	hierarchy, known := perfEventHierarchy()
	switch {
	case errors.Is(err, unix.EINVAL) && !known:
		return ErrMissingConfig, "CONFIG_CGROUP_PERF: no perf_event controller in " + cgroupsPath, true
	case errors.Is(err, unix.EBADF):
		return ErrInvalid, p.cgroup + " is not a cgroup directory", true
	case errors.Is(err, unix.ENOENT) && cgroupOpens(p):
		// ENOENT is also a PMU's answer for an event it lacks: the
		// cgroup is at fault only if a software event fails there too.
		return nil, "", false
	case errors.Is(err, unix.ENOENT) && known && hierarchy != 0 && isCgroup2(p.cgroup):
		return ErrMissingConfig, "the perf_event controller is bound to a cgroup v1 hierarchy, not to the v2 one of " + p.cgroup, true
	case errors.Is(err, unix.ENOENT) && known && hierarchy == 0 && isCgroup2(p.cgroup):
		return ErrMissingConfig, p.cgroup + " has no perf_event state: the kernel instantiates implicit controllers in child cgroups only once the root's cgroup.subtree_control has been written since boot (cgroup.ActivateImplicit does it)", true
	}
	return nil, "", false
}

// cgroupOpens reports whether a software event, which every kernel has,
// opens at p — if it does not with ENOENT, the cgroup refuses perf events.
func cgroupOpens(p placement) bool {
	attr := newAttr(TaskClock, Task{Disabled: true})
	fd, err := unix.PerfEventOpen(&attr, p.pid, p.cpu, -1, unix.PERF_FLAG_FD_CLOEXEC|p.flags)
	if err != nil {
		return !errors.Is(err, unix.ENOENT)
	}
	unix.Close(fd)
	return true
}

// perfEventHierarchy returns the hierarchy the perf_event controller is
// bound to, and whether the kernel has that controller at all.
func perfEventHierarchy() (int, bool) {
	f, err := os.Open(cgroupsPath)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// subsys_name hierarchy num_cgroups enabled
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "perf_event" {
			h, err := strconv.Atoi(fields[1])
			if err != nil {
				return -1, true
			}
			return h, true
		}
	}
	return 0, false
}

func isCgroup2(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}
