package verifier

import (
	"path/filepath"
	"strings"

	"github.com/tracebench/tracebench/backends/ebpf/fentry"
	"github.com/tracebench/tracebench/event"
)

// ProjectOptions are the load options of tracebench's own object built
// from source (a source of package bpf) for a kernel of architecture arch.
// The constants are those backends/ebpf/loader sets for a stream-mode cell
// that traces every event, so that the verifier walks the longest path
// (with the defaults every program returns at once and is pruned to a few
// instructions); fentry and fexit programs are loaded for the function
// their backend attaches them to.
func ProjectOptions(source, arch string) Options {
	var all uint64
	for _, ev := range event.All {
		all |= 1 << ev
	}
	opts := Options{Variables: map[string]uint64{"stream_mode": 1, "enabled_events": all}}
	if strings.TrimSuffix(filepath.Base(source), ".c") == "fentry" {
		opts.AttachTo = fentry.AttachCandidates(arch)
	}
	return opts
}
