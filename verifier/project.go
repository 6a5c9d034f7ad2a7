package verifier

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tracebench/tracebench/backends/ebpf/fentry"
	"github.com/tracebench/tracebench/bpf"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/verifier/toolchain"
)

// Toolchains are the builds of the matrix: every compiler, optimization
// level and architecture.
type Toolchains struct {
	Cache     toolchain.Cache
	Compilers []toolchain.Compiler
	Opts      []string // "-O1", "-O2"
	Arches    []string // "amd64", "arm64"
	// Parallel is how many compilations run at once (0: one per CPU).
	Parallel int
}

// Build builds each C source with every toolchain into objects of role,
// loaded with options(source, arch). Failed builds are objects with Err.
func (tc Toolchains) Build(ctx context.Context, sources, cflags []string, role string, options func(source, arch string) Options) []Object {
	configs := toolchain.Configs(tc.Compilers, tc.Opts, tc.Arches, cflags)
	return Built(tc.Cache.BuildAll(ctx, configs, sources, tc.Parallel), role, options)
}

// Project builds tracebench's own programs (gated) and the verifier
// fixtures (reported) from the sources embedded in package bpf. Objects
// name their sources as in the repository (bpf/NAME.c).
func (tc Toolchains) Project(ctx context.Context) ([]Object, error) {
	dir, err := os.MkdirTemp("", "tracebench-sources-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir) // the objects live in the cache
	programs, fixtures, err := bpf.WriteSources(dir)
	if err != nil {
		return nil, fmt.Errorf("write the embedded sources: %w", err)
	}
	objs := tc.Build(ctx, programs, bpf.CFlags, RoleProgram, ProjectOptions)
	objs = append(objs, tc.Build(ctx, fixtures, bpf.CFlags, RoleFixture, func(string, string) Options { return Options{} })...)
	for i := range objs {
		objs[i].Source = "bpf/" + strings.TrimPrefix(objs[i].Source, dir+"/")
	}
	return objs, nil
}

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
