package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ActivateImplicit makes the kernel give every cgroup of the v2 hierarchy
// mounted at root its state of the implicit controllers (perf_event, since
// 4.11): until the root's cgroup.subtree_control is first written after
// boot, child cgroups have none, and perf_event_open of a cgroup event on
// one fails with ENOENT (seen on 6.1 in a guest whose init mounts cgroup2
// and nothing else; systemd writes subtree_control at boot, so hosts
// running it are not affected). It enables, then disables again, one
// controller the root offers and does not enable for its children, which
// leaves subtree_control as found; if the root enables every controller it
// offers, subtree_control was written already and nothing is done.
func ActivateImplicit(root string) error {
	offered, err := fields(filepath.Join(root, "cgroup.controllers"))
	if err != nil {
		return err
	}
	enabled, err := fields(filepath.Join(root, "cgroup.subtree_control"))
	if err != nil {
		return err
	}
	control := filepath.Join(root, "cgroup.subtree_control")
	for _, c := range offered {
		if slices.Contains(enabled, c) {
			continue
		}
		if err := os.WriteFile(control, []byte("+"+c), 0); err != nil {
			return fmt.Errorf("activate implicit controllers: %w", err)
		}
		if err := os.WriteFile(control, []byte("-"+c), 0); err != nil {
			return fmt.Errorf("activate implicit controllers: %s left enabled: %w", c, err)
		}
		return nil
	}
	return nil
}

func fields(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(b)), nil
}
