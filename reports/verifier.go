package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tracebench/tracebench/results"
)

// VerifierTable writes the verifier matrix (tracebench verify) as text: per architecture, one row per
// object and build, one column per kernel; a cell says "ok" with the
// instructions the verifier processed (summed over the object's programs)
// or the classes of its refusals. Refusals, failed objects and targets
// follow, with the verifier's words.
func VerifierTable(w io.Writer, r *results.VerifierRun) error {
	count := map[results.Verdict]int{}
	for _, c := range r.Cells {
		count[c.Status]++
	}
	fmt.Fprintf(w, "Verifier matrix: %d targets, %d builds, %d objects, %d program loads: %d accepted, %d refused, %d unsupported; wall time %s\n",
		len(r.Targets), len(r.Builds), len(r.Objects), len(r.Cells), count[results.VerdictAccepted], count[results.VerdictRefused],
		count[results.VerdictUnsupported], r.Elapsed.Round(time.Second))
	idx := indexCells(r)
	for _, arch := range archesOf(r) {
		var ts []results.VerifierTarget
		for _, t := range r.Targets {
			if t.Arch == arch {
				ts = append(ts, t)
			}
		}
		fmt.Fprintf(w, "\n%s: \"ok N\" = accepted, N instructions processed by the verifier (all programs of the object)\n", arch)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprint(tw, "ROLE\tOBJECT\tBUILD")
		for _, t := range ts {
			fmt.Fprintf(tw, "\t%s %s", t.Name, t.KernelRelease)
		}
		fmt.Fprintln(tw)
		for _, o := range sortedObjects(r) {
			b := buildByID(r, o.Build)
			if b.Arch != arch && b.Arch != results.AnyArch {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s", o.Role, o.Name, strings.TrimSuffix(o.Build, "/"+arch))
			for _, t := range ts {
				fmt.Fprintf(tw, "\t%s", cellText(idx[[3]string{t.Name, o.Build, o.Name}], o, t))
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	writeRefusals(w, r)
	for _, o := range r.Objects {
		if o.Error != "" {
			fmt.Fprintf(w, "object %s (%s): %s: %s\n", o.Name, o.Build, o.ErrorClass, o.Error)
		}
	}
	fmt.Fprintln(w)
	for _, t := range r.Targets {
		if t.Error != "" {
			fmt.Fprintf(w, "target %s: FAILED after %s: %s\n", t.Name, t.Elapsed.Round(time.Second), t.Error)
			continue
		}
		var loads []time.Duration
		for _, c := range r.Cells {
			if c.Target == t.Name && c.Status == results.VerdictAccepted {
				loads = append(loads, c.Load)
			}
		}
		emulated := ""
		if t.Emulated {
			emulated = " (emulated: load times are artefacts)"
		}
		fmt.Fprintf(w, "target %s: Linux %s, %s; median load of an accepted program %s%s\n",
			t.Name, t.KernelRelease, t.Elapsed.Round(time.Second), medianDuration(loads), emulated)
	}
	return nil
}

func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2].Round(time.Microsecond)
}

type cellIndex map[[3]string][]results.VerifierCell

func indexCells(r *results.VerifierRun) cellIndex {
	idx := cellIndex{}
	for _, c := range r.Cells {
		k := [3]string{c.Target, c.Build, c.Object}
		idx[k] = append(idx[k], c)
	}
	return idx
}

func archesOf(r *results.VerifierRun) []string {
	var out []string
	for _, t := range r.Targets {
		if !slices.Contains(out, t.Arch) {
			out = append(out, t.Arch)
		}
	}
	return out
}

func buildByID(r *results.VerifierRun, id string) results.Build {
	for _, b := range r.Builds {
		if b.ID == id {
			return b
		}
	}
	return results.Build{}
}

// sortedObjects puts gated programs first, then fixtures, each by name and
// build.
func sortedObjects(r *results.VerifierRun) []results.VerifierObject {
	out := slices.Clone(r.Objects)
	slices.SortStableFunc(out, func(a, b results.VerifierObject) int {
		if a.Role != b.Role {
			if a.Role == results.RoleProgram {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name+"\x00"+a.Build, b.Name+"\x00"+b.Build)
	})
	return out
}

// cellText summarizes an object's programs on one target.
func cellText(cells []results.VerifierCell, o results.VerifierObject, t results.VerifierTarget) string {
	switch {
	case o.Error != "":
		return "error: " + o.ErrorClass
	case t.Error != "":
		return "target failed"
	case len(cells) == 0:
		return "-"
	}
	insns, counted := 0, true
	var parts []string
	for _, status := range []results.Verdict{results.VerdictRefused, results.VerdictUnsupported} {
		var classes []string
		n := 0
		for _, c := range cells {
			if c.Status == status {
				n++
				if !slices.Contains(classes, c.Class) {
					classes = append(classes, c.Class)
				}
			}
		}
		if n == 0 {
			continue
		}
		word := strings.ToUpper(string(status))
		if status == results.VerdictUnsupported {
			word = string(status)
		}
		if n < len(cells) {
			word = fmt.Sprintf("%d/%d %s", n, len(cells), word)
		}
		parts = append(parts, word+" "+strings.Join(classes, ","))
	}
	if len(parts) > 0 {
		return strings.Join(parts, "; ")
	}
	for _, c := range cells {
		insns += c.VerifiedInsns
		counted = counted && c.VerifiedInsns > 0
	}
	if counted {
		return fmt.Sprintf("ok %d", insns)
	}
	return "ok"
}

// writeRefusals lists each refusal once per (target, object, program,
// class) with the builds it happened with, and the verifier's log of the
// first.
func writeRefusals(w io.Writer, r *results.VerifierRun) {
	type group struct {
		first  results.VerifierCell
		builds []string
	}
	var keys [][4]string
	groups := map[[4]string]*group{}
	for _, c := range r.Cells {
		if c.Status == results.VerdictAccepted {
			continue
		}
		k := [4]string{c.Target, c.Object, c.Program, string(c.Status) + " " + c.Class}
		g, ok := groups[k]
		if !ok {
			g = &group{first: c}
			groups[k] = g
			keys = append(keys, k)
		}
		g.builds = append(g.builds, c.Build)
	}
	if len(keys) == 0 {
		return
	}
	fmt.Fprintln(w, "\nRefusals (target, object/program, verdict and class: the kernel's words; builds; verifier log of the first):")
	for _, k := range keys {
		g := groups[k]
		fmt.Fprintf(w, "- %s %s/%s %s: %s\n  builds: %s\n", k[0], k[1], k[2], k[3], g.first.Detail, strings.Join(g.builds, " "))
		for _, l := range g.first.Log {
			fmt.Fprintf(w, "    | %s\n", l)
		}
	}
}
