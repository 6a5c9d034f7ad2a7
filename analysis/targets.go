package analysis

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/tracebench/tracebench/results"
)

// KernelVersion is the numeric prefix of a kernel release: "5.10.0-35-amd64"
// gives [5 10 0], "6.18.44-fc" gives [6 18 44]. A release without one
// gives nil.
func KernelVersion(release string) []int {
	var v []int
	for _, f := range strings.SplitN(release, ".", 3) {
		end := strings.IndexFunc(f, func(r rune) bool { return r < '0' || r > '9' })
		if end == 0 {
			break
		}
		if end < 0 {
			end = len(f)
		}
		n, _ := strconv.Atoi(f[:end])
		v = append(v, n)
		if end < len(f) {
			break
		}
	}
	return v
}

// ByKernel returns the targets ordered by kernel version, then
// architecture and name: the order in which a backend's cost is followed
// across kernels (5.10 → 6.1 → 6.18).
func ByKernel(ts []results.Target) []results.Target {
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b results.Target) int {
		return cmp.Or(
			slices.Compare(KernelVersion(a.Host.KernelRelease), KernelVersion(b.Host.KernelRelease)),
			cmp.Compare(a.Host.Arch, b.Host.Arch),
			cmp.Compare(a.Name, b.Name))
	})
	return out
}

// Emulated lists the targets measured under software emulation.
func Emulated(r *results.Run) []results.Target {
	var out []results.Target
	for _, t := range r.Targets {
		if t.Host.Emulated {
			out = append(out, t)
		}
	}
	return out
}
