package audit

import (
	"fmt"
	"strconv"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/internal/auditnl"
)

// Modes of the audit backends: the kernel's backlog policy, which decides
// whether a traced process waits or its records are dropped when the
// receiver falls behind (audit_log_start in kernel/audit.c).
const (
	// Wait keeps the kernel's default backlog (64 records) and the wait
	// time as found (60 s by default): a process making records faster
	// than they are delivered sleeps until there is room, so nothing is
	// lost but the traced process is slowed.
	Wait backends.Mode = "wait"
	// Drop raises the backlog (option backlog_limit, default 8192
	// records) and sets the wait time to 0: when the backlog is full the
	// kernel drops the record at once and counts it in its lost counter.
	Drop backends.Mode = "drop"
)

// Modes lists the modes in the order they are measured.
var Modes = []backends.Mode{Wait, Drop}

// Backlog limits of the two modes: the kernel's default, and the drop
// mode's default queue (option backlog_limit).
const (
	defaultBacklog = 64
	dropBacklog    = 8192
)

// OptBacklogLimit overrides the drop mode's backlog limit, in records.
const OptBacklogLimit = "backlog_limit"

// policy returns the status the mode sets, and the mask of its fields.
// Both modes lift any rate limit: a rate limit drops records too, and
// would mix a second cause into the lost counter.
func policy(m backends.Mode, opts map[string]string) (auditnl.Status, auditnl.StatusMask, error) {
	mask := auditnl.MaskRateLimit | auditnl.MaskBacklogLimit
	switch m {
	case Wait:
		return auditnl.Status{BacklogLimit: defaultBacklog}, mask, nil
	case Drop:
		limit := uint64(dropBacklog)
		if v, ok := opts[OptBacklogLimit]; ok {
			var err error
			if limit, err = strconv.ParseUint(v, 10, 32); err != nil || limit == 0 {
				return auditnl.Status{}, 0, fmt.Errorf("option %s=%q: want a positive number of records", OptBacklogLimit, v)
			}
		}
		return auditnl.Status{BacklogLimit: uint32(limit), BacklogWaitTime: 0}, mask | auditnl.MaskBacklogWaitTime, nil
	}
	return auditnl.Status{}, 0, fmt.Errorf("audit backends have no mode %q (modes: %v)", m, Modes)
}
