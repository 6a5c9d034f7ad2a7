package plan

import (
	"time"
)

// The cost model: the expected wall time of each part of a run. It
// balances shards; it does not predict a run's length closely. The guest
// figures were measured on a 2-CPU machine running guests under qemu TCG
// (software emulation), busy with other work: coverage-only, a guest took
// 45-50 s from start to its first cell and 11-12 s per cell (supported
// cells 14-18 s, unsupported ones nothing), the host 1-2.5 s per cell.
// Guests are costed as emulated wherever the plan is made (a KVM runner is
// only faster everywhere), so that the split does not depend on the
// machine that plans.
const (
	// GuestBoot is one guest's fixed cost: kernel from the cache,
	// initramfs, boot to /init and power-off.
	GuestBoot = 45 * time.Second
	// HostPluginStart and GuestPluginStart: starting a backend's plugin and
	// probing the kernel, once per backend in each unit.
	HostPluginStart  = 1 * time.Second
	GuestPluginStart = 5 * time.Second
	// HostCellSetup and GuestCellSetup: what a measured cell costs beyond
	// its budget (loading, the coverage run's set-up, teardown).
	HostCellSetup  = 2 * time.Second
	GuestCellSetup = 10 * time.Second
	// HostCoverageCell and GuestCoverageCell: a coverage-only cell (load,
	// attach, one exact coverage run, detach).
	HostCoverageCell  = 2 * time.Second
	GuestCoverageCell = 10 * time.Second
)

// cellCost is the expected time of one cell on a host or guest target.
func (s Selection) cellCost(guest bool) time.Duration {
	switch {
	case s.CoverageOnly && guest:
		return GuestCoverageCell
	case s.CoverageOnly:
		return HostCoverageCell
	case guest:
		return s.GuestBudget + GuestCellSetup
	}
	return s.CellBudget + HostCellSetup
}

// unitCost is the expected time of a unit: a boot for a guest, a plugin
// start per backend, and its cells.
func (s Selection) unitCost(u Unit) time.Duration {
	cost := time.Duration(len(u.Cells)) * s.cellCost(u.Guest)
	start := HostPluginStart
	if u.Guest {
		cost += GuestBoot
		start = GuestPluginStart
	}
	return cost + time.Duration(len(u.backends()))*start
}
