package verifier

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/verifier/toolchain"
)

// kernelVersion is the major and minor of a release ("6.12.117+deb13-amd64"
// → 6, 12).
func kernelVersion(t *testing.T, release string) [2]int {
	t.Helper()
	f := strings.FieldsFunc(release, func(r rune) bool { return r < '0' || r > '9' })
	if len(f) < 2 {
		t.Fatalf("kernel release %q", release)
	}
	maj, _ := strconv.Atoi(f[0])
	min, _ := strconv.Atoi(f[1])
	return [2]int{maj, min}
}

func atLeast(v [2]int, maj, min int) bool { return v[0] > maj || v[0] == maj && v[1] >= min }

// expectFixture is what the verifier of a kernel does with a fixture
// built by clang-N at opt: the divergences each fixture's source documents
// (bpf/fixtures), measured on Debian's 5.10, 6.1 and 6.12 and a 6.18 host.
func expectFixture(name string, clang int, opt string, kernel [2]int) (results.Verdict, Class) {
	accepted := func(ok bool, class Class) (results.Verdict, Class) {
		if ok {
			return results.VerdictAccepted, ""
		}
		return results.VerdictRefused, class
	}
	switch name {
	case "pairs": // linked registers with a delta: 6.11
		return accepted(atLeast(kernel, 6, 11), MemoryAccess)
	case "rev_scan": // "!=" narrowing: 6.8; clang 16's shape: never
		return accepted(clang <= 15 && atLeast(kernel, 6, 8), MemoryAccess)
	case "window": // unrolled (-O2, or clang 15+): never
		return accepted(clang <= 14 && opt == "-O1", MemoryAccess)
	case "loop_helper": // bpf_loop: 5.17
		return accepted(atLeast(kernel, 5, 17), UnknownHelper)
	}
	return results.VerdictAccepted, "" // the fixed variants
}

// fixtureNames are the fixtures and their fixed variants.
var fixtureNames = []string{"loop_helper", "loop_helper_fixed", "pairs", "pairs_fixed", "rev_scan", "rev_scan_fixed", "window", "window_fixed"}

// compilers returns clang-13 … clang-16, or skips: the fixtures'
// divergences are between them.
func compilers(t *testing.T) []toolchain.Compiler {
	t.Helper()
	cs, err := toolchain.Find(context.Background(), toolchain.DefaultVersions)
	if err != nil {
		t.Skipf("needs clang-13 … clang-16 (Debian: apt-get install clang-13 clang-14 clang-15 clang-16; make deps): %v", err)
	}
	return cs
}

// checkFixtures compares every fixture cell of r with expectFixture, and
// checks that each target has exactly one cell per fixture and build.
func checkFixtures(t *testing.T, r *results.VerifierRun) {
	t.Helper()
	release := map[string]string{}
	for _, tg := range r.Targets {
		release[tg.Name] = tg.KernelRelease
	}
	builds := map[string]results.Build{}
	for _, b := range r.Builds {
		builds[b.ID] = b
	}
	count := map[string]int{}
	for _, c := range r.Cells {
		b := builds[c.Build]
		if !isFixture(c.Object) {
			continue
		}
		count[c.Target]++
		clang, _ := strconv.Atoi(strings.TrimPrefix(b.Compiler, "clang-"))
		status, class := expectFixture(c.Object, clang, b.Opt, kernelVersion(t, release[c.Target]))
		if c.Status != status || c.Class != string(class) {
			t.Errorf("%s (%s) %s: %s %s (%s), want %s %s", c.Target, release[c.Target], c.Build, c.Program, c.Status, c.Class, status, class)
			continue
		}
		switch {
		case c.Status == results.VerdictAccepted && (c.VerifiedInsns == 0 || c.InsnsSource == ""):
			t.Errorf("%s %s %s: accepted without a verified instruction count", c.Target, c.Build, c.Program)
		case c.Status == results.VerdictRefused && (len(c.Log) == 0 || c.Detail != c.Log[len(c.Log)-1]):
			t.Errorf("%s %s %s: refused without the verifier's log: detail %q log %q", c.Target, c.Build, c.Program, c.Detail, c.Log)
		}
	}
	for _, tg := range r.Targets {
		n := 0
		for _, b := range r.Builds {
			if b.Arch == tg.Arch {
				n += len(fixtureNames)
			}
		}
		if count[tg.Name] != n {
			t.Errorf("%s: %d fixture cells, want %d", tg.Name, count[tg.Name], n)
		}
	}
}

func isFixture(object string) bool {
	for _, n := range fixtureNames {
		if n == object {
			return true
		}
	}
	return false
}
