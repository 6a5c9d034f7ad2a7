package ftrace

import (
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/tracebench/tracebench/internal/tracefs"
)

// followTasks restricts hook h in in to every task of process pid and to
// what those tasks fork. set_event_pid and set_ftrace_pid name tasks, not
// processes: a multi-threaded workload (a Go program) is listed thread by
// thread. The list is rewritten until a fresh reading of /proc agrees with
// it: a thread started between reading and writing is caught by the next
// reading, and one started after the last write is followed as a fork.
// Each write replaces the list, so this is for a workload that is idle
// (forks no processes) while it is set up.
func followTasks(h Hook, in *tracefs.Instance, pid int) error {
	var written []int
	for range 10 {
		tids, err := Tasks(pid)
		if err != nil {
			return err
		}
		if slices.Equal(tids, written) {
			return nil
		}
		if err := h.Filter(in, tids...); err != nil {
			return err
		}
		written = tids
	}
	return fmt.Errorf("the threads of process %d keep changing: pid filter not settled", pid)
}

// Tasks lists the thread ids of process pid, sorted.
func Tasks(pid int) ([]int, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("tasks of the workload: %w", err)
	}
	var out []int
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, tid)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tasks of the workload: %s is empty", dir)
	}
	slices.Sort(out)
	return out, nil
}
