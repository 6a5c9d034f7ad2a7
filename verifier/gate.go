package verifier

import (
	"fmt"

	"github.com/tracebench/tracebench/results"
)

// Gate lists what makes a matrix fail a CI pipeline: a program (not a
// fixture) refused by a verifier anywhere, an unusable object, a target
// that produced no verdicts, and with strict a program a kernel cannot
// load at all (unsupported: its program type, attach target or maps).
// Nothing listed means every gated program was accepted on every target
// of its architecture (or, without strict, was not loadable there for
// reasons that are not its code's).
func Gate(r *results.VerifierRun, strict bool) []string {
	var out []string
	role := map[[2]string]string{}
	for _, o := range r.Objects {
		role[[2]string{o.Build, o.Name}] = o.Role
		if o.Error != "" && o.Role == RoleProgram {
			out = append(out, fmt.Sprintf("object %s (%s): %s", o.Name, o.Build, o.Error))
		}
	}
	for _, t := range r.Targets {
		if t.Error != "" {
			out = append(out, fmt.Sprintf("target %s: %s", t.Name, t.Error))
		}
	}
	for _, c := range r.Cells {
		gated := c.Status == results.VerdictRefused || strict && c.Status == results.VerdictUnsupported
		if gated && role[[2]string{c.Build, c.Object}] == RoleProgram {
			out = append(out, fmt.Sprintf("%s: %s/%s (%s) %s: %s: %s", c.Target, c.Object, c.Program, c.Build, c.Status, c.Class, c.Detail))
		}
	}
	return out
}
