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
// controller is not on that directory's hierarchy (a cgroup v2 directory
// while perf_event is mounted on a v1 hierarchy). ok is false when the
// error is not the cgroup's.
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
	case errors.Is(err, unix.ENOENT) && known && hierarchy != 0 && isCgroup2(p.cgroup):
		return ErrMissingConfig, "the perf_event controller is bound to a cgroup v1 hierarchy, not to the v2 one of " + p.cgroup, true
	}
	return nil, "", false
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
