// Package toolchain builds eBPF objects from C sources with several clang
// versions, optimization levels and target architectures, the way bpf2go
// does, into a cache keyed by everything that goes into an object: the
// compiler's version, the flags, and the content of every file the source
// includes. The same source can come out of two compilers in shapes an
// older kernel's verifier follows or not; this package makes the shapes.
package toolchain

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// DefaultVersions are the clang versions Debian bookworm packages
// (clang-13 … clang-16).
var DefaultVersions = []string{"13", "14", "15", "16"}

// ErrNoCompiler is returned (wrapped) for a clang that is not installed.
var ErrNoCompiler = errors.New("compiler not found")

// Compiler is one installed clang.
type Compiler struct {
	Name    string // "clang-14"
	Path    string
	Version string // first line of --version, e.g. "Debian clang version 14.0.6"
}

// Find looks up clang-V for each version V ("14"), or a compiler by name
// or path ("clang", "/opt/llvm/bin/clang"), and asks each its version.
func Find(ctx context.Context, versions []string) ([]Compiler, error) {
	var out []Compiler
	var errs []error
	for _, v := range versions {
		name := v
		if !strings.ContainsAny(v, "/") && !strings.HasPrefix(v, "clang") {
			name = "clang-" + v
		}
		path, err := exec.LookPath(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w (Debian: apt-get install %s)", name, ErrNoCompiler, name))
			continue
		}
		b, err := exec.CommandContext(ctx, path, "--version").Output()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s --version: %w", path, err))
			continue
		}
		first, _, _ := strings.Cut(string(b), "\n")
		out = append(out, Compiler{Name: baseName(name), Path: path, Version: strings.TrimSpace(first)})
	}
	return out, errors.Join(errs...)
}

func baseName(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
