package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/reports"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/verifier"
	"github.com/tracebench/tracebench/verifier/toolchain"
	"github.com/tracebench/tracebench/vmtests"
	"github.com/tracebench/tracebench/vmtests/guest"
)

type verifyFlags struct {
	vm        vmFlags
	targets   string
	project   bool
	clang     string
	opts      string
	arches    string
	cflags    string
	set       []string
	out       string
	asJSON    bool
	parallel  int
	jobs      int
	strict    bool
	buildOnly bool
}

func newVerifyCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify [flags] OBJECT|SOURCE.c|DIR...",
		Short: "Load eBPF objects on the host and guest kernels and report what each verifier says; fail if any refuses",
		Long: `verify loads every program of each eBPF object on every target kernel (the
host in this process, guests in qemu) and reports, per program and kernel,
whether the verifier accepted it (with the instructions it processed and
the load time) or refused it (with the log lines that say why, classified:
memory-access, loop, register-state, unknown-helper, too-large, btf-core,
attach-target, program-type, permission, map, other).

Objects (*.o, bpf2go's NAME_x86_bpfel.o / NAME_arm64_bpfel.o go to targets
of that architecture only) are loaded as they are. C sources (*.c) are first
built with every compiler (--clang), optimization level (--opt) and
architecture (--arch) of the matrix, the way bpf2go builds them, and each
build is loaded: the same source can come out of two compilers in shapes
an older verifier follows or not. A directory stands for its *.c and *.o.
--project adds tracebench's own programs (gated) and its verifier
fixtures: known divergences, reported but not gated.

Accepted means BPF_PROG_LOAD succeeded: the verifier accepted the program
(a tracing program for its attach target). Attaching is not tried.
Refused means the verifier ran and said no, in its log. Unsupported means
the kernel refused before verifying, without a word: a program or attach
type it does not know, an attach target it lacks, a map it cannot create,
a program type it does not permit.

The exit status is non-zero when a verifier refused a program that is not
a fixture, an object is unusable, or a target failed (with --strict also
when a program is unsupported somewhere): a CI gate.`,
		Example: `  tracebench verify --target all probe_x86_bpfel.o probe_arm64_bpfel.o
  tracebench verify --target debian:5.10/amd64,host --cflags "-I include" probe.c
  tracebench verify --project --out results/verifier`,
		RunE: func(cmd *cobra.Command, args []string) error { return runVerify(cmd, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.targets, "target", "t", "all", `targets of the kernel matrix, comma-separated, "all" (host and guests) or "guests"`)
	fl.BoolVar(&f.project, "project", false, "verify tracebench's own programs and verifier fixtures, built from their embedded sources")
	fl.StringVar(&f.clang, "clang", strings.Join(toolchain.DefaultVersions, ","), "clang versions that build C sources (clang-N, or a compiler path)")
	fl.StringVar(&f.opts, "opt", "-O1,-O2", "optimization levels that build C sources")
	fl.StringVar(&f.arches, "arch", "", "architectures C sources are built for (default: those of the targets)")
	fl.StringVar(&f.cflags, "cflags", "", `flags for C sources, e.g. "-g -Wall -I include" (not -O: see --opt)`)
	fl.StringArrayVar(&f.set, "set", nil, "NAME=VALUE: set a global constant (volatile const) of every object before loading (repeatable)")
	fl.StringVar(&f.out, "out", "", "write verifier.json and verifier.txt into this directory")
	fl.BoolVar(&f.asJSON, "json", false, "print the matrix as JSON instead of a table")
	fl.IntVar(&f.parallel, "guest-parallel", 0, "guests booted at once (default: one per CPU)")
	fl.IntVar(&f.jobs, "build-jobs", 0, "compilations at once (default: one per CPU)")
	fl.BoolVar(&f.buildOnly, "build-only", false, "build the objects of C sources (and --project) into the cache, list them, load nothing")
	fl.BoolVar(&f.strict, "strict", false, "also fail when a kernel cannot load a program at all (unsupported program type, attach target, map)")
	fl.StringVar(&f.vm.matrix, "matrix", "", "kernel matrix file (default: the built-in vmtests/matrix.toml)")
	fl.StringVar(&f.vm.cache, "cache", "", "cache directory (kernels, built objects)")
	return cmd
}

func runVerify(cmd *cobra.Command, f verifyFlags, args []string) error {
	ctx := cmd.Context()
	if len(args) == 0 && !f.project {
		return errors.New("nothing to verify: give objects, C sources or directories, or --project")
	}
	m, cache, err := f.vm.load()
	if err != nil {
		return err
	}
	ts, err := m.Select(strings.Split(f.targets, ","))
	if err != nil {
		return fmt.Errorf("--target: %w", err)
	}
	vars, err := parseSets(f.set)
	if err != nil {
		return err
	}
	sources, objects, err := verifier.SplitInputs(args)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", a...) }
	objs := verifier.Prebuilt(objects, verifier.Options{Variables: vars})
	if len(sources) > 0 || f.project {
		built, err := buildSources(ctx, f, cache, ts, sources, vars, logf)
		if err != nil {
			return err
		}
		objs = append(objs, built...)
	}
	if f.buildOnly {
		return listObjects(cmd.OutOrStdout(), objs)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cfg := verifier.Config{
		Targets: ts, Cache: cache, GuestBinaries: harness.GuestBinaries(exe), Objects: objs,
		Parallel: f.parallel, Progress: logf, Command: os.Args, Version: harness.Version,
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return err
		}
		cfg.LogDir = filepath.Join(f.out, "logs")
	}
	run, err := verifier.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if err := writeVerify(cmd.OutOrStdout(), f, run); err != nil {
		return err
	}
	if failures := verifier.Gate(run, f.strict); len(failures) > 0 {
		for _, s := range failures {
			logf("FAIL %s", s)
		}
		return exitStatus(1)
	}
	return nil
}

// buildSources builds the C sources (and with --project tracebench's
// own) with every compiler, level and architecture asked for.
func buildSources(ctx context.Context, f verifyFlags, cache *vmtests.Cache, ts []vmtests.Target, sources []string, vars map[string]uint64, logf func(string, ...any)) ([]verifier.Object, error) {
	compilers, err := toolchain.Find(ctx, splitList(f.clang))
	if err != nil {
		return nil, fmt.Errorf("--clang: %w", err)
	}
	tc := verifier.Toolchains{Cache: toolchain.Cache{Dir: filepath.Join(cache.Dir, "bpf-objects")},
		Compilers: compilers, Opts: splitList(f.opts), Arches: splitList(f.arches), Parallel: f.jobs}
	if len(tc.Arches) == 0 {
		for _, t := range ts {
			if !slices.Contains(tc.Arches, t.Arch) {
				tc.Arches = append(tc.Arches, t.Arch)
			}
		}
	}
	logf("building with %d compilers × %d levels × %d architectures into %s", len(compilers), len(tc.Opts), len(tc.Arches), tc.Cache.Dir)
	objs := tc.Build(ctx, sources, strings.Fields(f.cflags), verifier.RoleProgram, func(string, string) verifier.Options {
		return verifier.Options{Variables: vars}
	})
	if f.project {
		project, err := tc.Project(ctx)
		if err != nil {
			return nil, err
		}
		objs = append(objs, project...)
	}
	return objs, nil
}

// listObjects prints the objects built and fails if a gated one did not
// build.
func listObjects(w io.Writer, objs []verifier.Object) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BUILD\tOBJECT\tROLE\tFILE")
	failed := 0
	for _, o := range objs {
		file := o.Path
		if o.Err != nil {
			file = "build failed: " + o.Err.Error()
			if o.Role == verifier.RoleProgram {
				failed++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Build.ID, o.Name, o.Role, file)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d objects did not build", failed)
	}
	return nil
}

// writeVerify prints the matrix and writes it under --out.
func writeVerify(w io.Writer, f verifyFlags, run *results.VerifierRun) error {
	if f.out != "" {
		if err := results.WriteVerifier(f.out, run); err != nil {
			return err
		}
		var b strings.Builder
		if err := reports.VerifierTable(&b, run); err != nil {
			return err
		}
		if err := results.WriteFileAtomic(filepath.Join(f.out, "verifier.txt"), []byte(b.String())); err != nil {
			return err
		}
	}
	if f.asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(run)
	}
	return reports.VerifierTable(w, run)
}

func parseSets(kvs []string) (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--set %q: want NAME=VALUE", kv)
		}
		n, err := strconv.ParseUint(v, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("--set %s: %w", kv, err)
		}
		out[k] = n
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// newVerifyGuestCmd is the guest side of `tracebench verify`: load the
// objects of the request on the guest's kernel and send the verdicts back
// over the results port.
//
// As a guest's /init it loads nothing itself but runs a child that does:
// cilium/ebpf's rlimit package probes the kernel in its init function,
// before /init has mounted /proc, and the failure to read
// /proc/self/mountinfo (looking for bpffs tokens) is cached for the life
// of the process: every later map or program load would fail with it.
func newVerifyGuestCmd() *cobra.Command {
	var child bool
	cmd := &cobra.Command{
		Use:    "verify-guest REQUEST",
		Short:  "Verify the objects of a guest request (inside a vmtests guest)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s := guest.FromContext(cmd.Context())
			if s != nil && !child {
				exe, err := os.Executable()
				if err != nil {
					return err
				}
				c := exec.CommandContext(cmd.Context(), exe, "verify-guest", "--child", args[0])
				c.Stdout, c.Stderr = s.Results(), cmd.ErrOrStderr()
				return c.Run()
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var req verifier.GuestRequest
			if err := json.Unmarshal(b, &req); err != nil {
				return fmt.Errorf("verify request %s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "verifying %d objects\n", len(req.Jobs))
			return json.NewEncoder(cmd.OutOrStdout()).Encode(verifier.RunJobs(req.Target, req.Jobs))
		},
	}
	cmd.Flags().BoolVar(&child, "child", false, "load in this process (the child of a guest's /init)")
	return cmd
}
