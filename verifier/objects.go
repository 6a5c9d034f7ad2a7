package verifier

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/verifier/toolchain"
)

// BuildOf describes a toolchain configuration in the matrix.
func BuildOf(cfg toolchain.Config) results.Build {
	return results.Build{ID: cfg.ID(), Compiler: cfg.Compiler.Name, CompilerVersion: cfg.Compiler.Version,
		Opt: cfg.Opt, Arch: cfg.Arch, CFlags: cfg.CFlags}
}

// Built turns build results into objects; options gives each source's
// load options on an architecture.
func Built(rs []toolchain.Result, role string, options func(source, arch string) Options) []Object {
	out := make([]Object, 0, len(rs))
	for _, r := range rs {
		out = append(out, Object{
			Name:    strings.TrimSuffix(filepath.Base(r.Source), ".c"),
			Build:   BuildOf(r.Config),
			Path:    r.Object.Path,
			Source:  r.Source,
			Role:    role,
			Options: options(r.Source, r.Config.Arch),
			Err:     r.Err,
		})
	}
	return out
}

// Prebuilt returns the object files at paths, each for the architecture
// its bpf2go file name says (NAME_x86_bpfel.o, NAME_arm64_bpfel.o), or
// for any; opts are the load options of every one.
func Prebuilt(paths []string, opts Options) []Object {
	out := make([]Object, 0, len(paths))
	for _, p := range paths {
		arch := NameArch(p)
		if arch == "" {
			arch = AnyArch
		}
		out = append(out, Object{
			Name:    filepath.Base(p),
			Build:   results.Build{ID: "prebuilt/" + arch, Arch: arch},
			Path:    p,
			Role:    RoleProgram,
			Options: opts,
		})
	}
	return out
}

// SplitInputs sorts command-line paths into C sources and object files:
// a directory stands for its *.c and *.o files; any other file is taken as
// an object (and refused with a clear error if it is none).
func SplitInputs(paths []string) (sources, objects []string, err error) {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			if strings.HasSuffix(p, ".c") {
				sources = append(sources, p)
			} else {
				objects = append(objects, p)
			}
			continue
		}
		cs, _ := filepath.Glob(filepath.Join(p, "*.c"))
		objs, _ := filepath.Glob(filepath.Join(p, "*.o"))
		if len(cs)+len(objs) == 0 {
			return nil, nil, fmt.Errorf("%s: no *.c or *.o files", p)
		}
		sources, objects = append(sources, cs...), append(objects, objs...)
	}
	return sources, objects, nil
}
