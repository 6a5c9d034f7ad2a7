package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tracebench/tracebench/results"
)

// auditOrder states, for each target not under emulation where audit
// backends measured, that their cells ran last and why: enabling audit
// sets the kernel's audit_ever_enabled, and from then on every new
// process takes the audit syscall path until reboot, so cells measured
// after would have been taxed. It says when the first audit cell started.
func auditOrder(r *results.Run) []Finding {
	var out []Finding
	for _, t := range r.Targets {
		if t.Host.Emulated {
			continue // a throwaway guest: nothing outlives it
		}
		var first *results.Cell
		names := map[string]bool{}
		for i, c := range r.Cells {
			if c.Target != t.Name || c.Status != results.OK || !strings.HasPrefix(c.Backend, "audit/") {
				continue
			}
			names[c.Backend] = true
			if first == nil || c.Started.Before(first.Started) {
				first = &r.Cells[i]
			}
		}
		if first == nil {
			continue
		}
		backends := make([]string, 0, len(names))
		for n := range names {
			backends = append(backends, n)
		}
		slices.Sort(backends)
		out = append(out, Finding{Topic: "audit", Text: fmt.Sprintf(
			"On %s, the audit cells (%s) ran after every other backend's: audit was enabled from the first of them, started %s UTC, and every process started since on that kernel takes the audit syscall path until reboot.",
			targetName(t), strings.Join(backends, ", "), first.Started.UTC().Format("2006-01-02 15:04:05"))})
	}
	return out
}
