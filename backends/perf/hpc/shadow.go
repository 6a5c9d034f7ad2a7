package hpc

import (
	"fmt"
	"sort"

	"github.com/cilium/ebpf/link"
)

// shadowingLinks lists the BPF links that attach a program to one of the
// tracepoints (name → group:name) through a perf event, as ebpf/tracepoint
// does. Such a program returning 0 makes the kernel drop the hit for every
// perf event on that tracepoint, machine-wide (perf_syscall_enter,
// perf_trace_run_bpf_submit): a count mode cell reports the ones it found
// attached while it counted, which explain a short count. Link info names
// the tracepoint since Linux 6.6; before, nothing tells, and none is found.
func shadowingLinks(points map[string]string) ([]string, error) {
	var out []string
	var it link.Iterator
	defer it.Close()
	for it.Next() {
		info, err := it.Link.Info()
		if err != nil || info.Type != link.PerfEventType {
			continue // a link of another type, or one gone meanwhile
		}
		pe := info.PerfEvent()
		if pe == nil || pe.Tracepoint() == nil {
			continue
		}
		if full, ok := points[pe.Tracepoint().Tracepoint]; ok {
			out = append(out, fmt.Sprintf("%s: BPF link %d, program %d", full, info.ID, info.Program))
		}
	}
	if err := it.Err(); err != nil {
		return out, fmt.Errorf("list BPF links: %w", err)
	}
	sort.Strings(out)
	return out, nil
}
