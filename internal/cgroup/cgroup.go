// Package cgroup gives each workload a cgroup v2 of its own. eBPF programs
// filter on its id (bpf_get_current_cgroup_id, kernel 4.18+), so that only
// the workload's process tree is counted, whatever it forks.
package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Group is a cgroup v2 directory.
type Group struct {
	Path string
	ID   uint64 // kernfs node id: what bpf_get_current_cgroup_id returns
}

// Create makes the cgroup root/name.
func Create(root, name string) (*Group, error) {
	p := filepath.Join(root, name)
	if err := os.Mkdir(p, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup: %w", err)
	}
	id, err := ID(p)
	if err != nil {
		os.Remove(p)
		return nil, err
	}
	return &Group{Path: p, ID: id}, nil
}

// ID returns the cgroup id of the cgroup v2 directory p: its inode number,
// which is the kernfs node id on 64-bit kernels.
func ID(p string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return 0, fmt.Errorf("cgroup id of %s: %w", p, err)
	}
	return st.Ino, nil
}

// Add moves process pid, with all its threads, into g.
func (g *Group) Add(pid int) error {
	err := os.WriteFile(filepath.Join(g.Path, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0)
	if err != nil {
		return fmt.Errorf("move pid %d into cgroup %s: %w", pid, g.Path, err)
	}
	return nil
}

// Procs lists the pids in g.
func (g *Group) Procs() ([]int, error) {
	b, err := os.ReadFile(filepath.Join(g.Path, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			out = append(out, pid)
		}
	}
	return out, nil
}

// Remove kills whatever still runs in g and removes it.
func (g *Group) Remove() error {
	for range 100 {
		pids, err := g.Procs()
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			break
		}
		for _, pid := range pids {
			unix.Kill(pid, unix.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for range 100 {
		err := unix.Rmdir(g.Path)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("remove cgroup %s: %w", g.Path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: still busy", g.Path)
}
