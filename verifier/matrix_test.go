package verifier

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/verifier/toolchain"
	"github.com/tracebench/tracebench/vmtests"
)

// projectMatrix builds tracebench's programs and the fixtures with every
// clang of the matrix at -O1 and -O2 for arches, and runs them on targets.
func projectMatrix(t *testing.T, targets []vmtests.Target, arches []string) *results.VerifierRun {
	t.Helper()
	cache, err := vmtests.OpenCache("")
	if err != nil {
		t.Fatal(err)
	}
	tc := Toolchains{Cache: toolchain.Cache{Dir: filepath.Join(t.TempDir(), "objects")}, Compilers: compilers(t),
		Opts: []string{"-O1", "-O2"}, Arches: arches}
	objs, err := tc.Project(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var guests bool
	for _, tg := range targets {
		guests = guests || !tg.Host()
	}
	cfg := Config{Targets: targets, Cache: cache, Objects: objs, LogDir: filepath.Join(t.TempDir(), "logs"), Progress: t.Logf}
	if guests {
		cfg.GuestBinaries = testutil.GuestBinaries(t)
	}
	r, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Programs and maps live as long as their descriptors: nothing the
	// verifier loaded may still be in the kernel (fixture names are ours
	// alone; the kernel keeps 15 characters of a name).
	if left := loadedFixturePrograms(t); len(left) > 0 {
		t.Errorf("programs left loaded: %v", left)
	}
	for _, o := range r.Objects {
		if o.Error != "" {
			t.Errorf("object %s (%s): %s", o.Name, o.Build, o.Error)
		}
	}
	for _, tg := range r.Targets {
		if tg.Error != "" || tg.KernelRelease == "" {
			t.Errorf("target %s: release %q, error %s", tg.Name, tg.KernelRelease, tg.Error)
		}
	}
	return r
}

// programsPerBuild is how many programs a build of tracebench's objects
// and fixtures holds: the programs of the committed amd64 objects (built
// by `make generate` from the same sources) and one per fixture source.
func programsPerBuild(t *testing.T) int {
	t.Helper()
	objects, err := filepath.Glob("../bpf/*_x86_bpfel.o")
	if err != nil || len(objects) == 0 {
		t.Fatalf("no committed objects in ../bpf: %v", err)
	}
	n := 0
	for _, o := range objects {
		spec, err := ebpf.LoadCollectionSpec(o)
		if err != nil {
			t.Fatal(err)
		}
		n += len(spec.Programs)
	}
	fixtures, err := filepath.Glob("../bpf/fixtures/*.c")
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("no fixtures in ../bpf/fixtures: %v", err)
	}
	return n + len(fixtures)
}

// unsupportedProgram says where a tracebench program may be refused before
// verification, and why: the host of this project's machines cannot build
// BPF trampolines (EPERM, see ENVIRONMENT.md), so it loads no fentry/fexit
// program; a kernel without BTF of its own (nobtf, verified with external
// BTF) cannot name a tracing program's attach target, so it loads no
// fentry/fexit or tp_btf program. Everywhere else every program is
// accepted.
func unsupportedProgram(tg results.VerifierTarget, c results.VerifierCell) bool {
	tracing := c.Object == "fentry" || c.Object == "tpbtf"
	return tg.Name == "host" && c.Object == "fentry" && c.Class == string(Permission) ||
		!tg.BTF && tracing && c.Class == string(BTF)
}

// checkPrograms: every build of every tracebench program is accepted on
// every target (the gate passes), with the verifier's instruction count.
func checkPrograms(t *testing.T, r *results.VerifierRun) {
	t.Helper()
	targets := map[string]results.VerifierTarget{}
	for _, tg := range r.Targets {
		targets[tg.Name] = tg
	}
	for _, c := range r.Cells {
		if isFixture(c.Object) {
			continue
		}
		switch {
		case c.Status == results.VerdictUnsupported && unsupportedProgram(targets[c.Target], c):
		case c.Status != results.VerdictAccepted:
			t.Errorf("%s %s %s/%s: %s %s: %s", c.Target, c.Build, c.Object, c.Program, c.Status, c.Class, c.Detail)
		case c.VerifiedInsns < 30:
			// With the loader's constants the verifier walks observe()'s
			// stream path: tens of instructions, not the 8 of a pruned
			// program.
			t.Errorf("%s %s %s/%s: %d verified instructions: the constants were not set", c.Target, c.Build, c.Object, c.Program, c.VerifiedInsns)
		case c.Object == "fentry" && !strings.Contains(c.AttachTo, "sys_") && c.AttachTo != "bprm_execve" && c.AttachTo != "do_sys_openat2":
			t.Errorf("%s %s: fentry attach target %q", c.Target, c.Program, c.AttachTo)
		}
	}
	if failures := Gate(r, false); len(failures) > 0 {
		t.Errorf("gate: %s", strings.Join(failures, "\n"))
	}
}

func cellsPerTarget(t *testing.T, r *results.VerifierRun) {
	t.Helper()
	perBuild := programsPerBuild(t)
	n := map[string]int{}
	for _, c := range r.Cells {
		n[c.Target]++
	}
	for _, tg := range r.Targets {
		builds := 0
		for _, b := range r.Builds {
			if b.Arch == tg.Arch {
				builds++
			}
		}
		if want := builds * perBuild; n[tg.Name] != want {
			t.Errorf("%s: %d cells, want %d", tg.Name, n[tg.Name], want)
		}
	}
}

// TestProjectOnHost runs the matrix of tracebench's programs and the
// fixtures on the running kernel: 8 amd64 builds each.
func TestProjectOnHost(t *testing.T) {
	testutil.RequireRoot(t)
	host := testutil.DefaultTarget(t, "host")
	r := projectMatrix(t, []vmtests.Target{host}, []string{host.Arch})
	if len(r.Builds) != 8 {
		t.Errorf("%d builds, want 8 (4 compilers × 2 levels)", len(r.Builds))
	}
	cellsPerTarget(t, r)
	checkPrograms(t, r)
	checkFixtures(t, r)
}

// TestProjectInGuests is the verifier matrix of the default kernel matrix:
// every guest (5.10 to 6.12, amd64 and arm64, under qemu; the kernel
// without BTF verified with the BTF generated from its DWARF) and the
// host, 16 builds of every program and fixture. The fixtures' divergences
// must show on the real kernels with the expected class, and tracebench's
// own programs must be accepted everywhere but where unsupportedProgram
// says.
func TestProjectInGuests(t *testing.T) {
	if testing.Short() {
		t.Skip("boots qemu guests")
	}
	testutil.RequireRoot(t)
	targets := vmtests.DefaultMatrix().Targets
	r := projectMatrix(t, targets, toolchain.Arches)
	if len(r.Targets) != len(targets) {
		t.Fatalf("%d targets, want %d", len(r.Targets), len(targets))
	}
	cellsPerTarget(t, r)
	checkPrograms(t, r)
	checkFixtures(t, r)
	t.Logf("matrix of %d cells in %s", len(r.Cells), r.Elapsed)
}

// loadedFixturePrograms lists the loaded programs named like a fixture.
func loadedFixturePrograms(t *testing.T) []string {
	t.Helper()
	var out []string
	for id := ebpf.ProgramID(0); ; {
		next, err := ebpf.ProgramGetNextID(id)
		if errors.Is(err, os.ErrNotExist) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		id = next
		p, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue // unloaded since
		}
		info, err := p.Info()
		p.Close()
		if err != nil {
			continue
		}
		for _, n := range fixtureNames {
			if info.Name == n[:min(len(n), 15)] {
				out = append(out, info.Name)
			}
		}
	}
}
