// Package btfgen makes kernel BTF for kernels that do not carry their own:
// it generates a detached BTF file from a vmlinux's DWARF with pahole
// (Generate) and minimizes a BTF file to the types given eBPF objects
// relocate against with bpftool (Minimize). cilium/ebpf loads either file
// as the kernel's types (ebpf.ProgramOptions.KernelTypes).
package btfgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// ErrMissingTool is returned (wrapped) when pahole, bpftool or
// llvm-objcopy is not installed, or is too old.
var ErrMissingTool = errors.New("missing tool")

// ErrBadInput is returned (wrapped) for a file that is not what the
// operation needs: not an ELF file, truncated, without DWARF, not BTF.
var ErrBadInput = errors.New("bad input")

// Version is a tool's version, major.minor.
type Version struct{ Major, Minor int }

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	return v.Major < w.Major || v.Major == w.Major && v.Minor < w.Minor
}

var (
	// minPahole: pahole -J (BTF from DWARF) exists since dwarves 1.16
	// (kernels before 5.7 were built with it).
	minPahole = Version{1, 16}
	// detachedPahole: --btf_encode_detached writes raw BTF to a file of
	// its own (dwarves 1.22); older pahole needs llvm-objcopy to cut the
	// .BTF section out of a copy of the vmlinux.
	detachedPahole = Version{1, 22}
)

var versionRE = regexp.MustCompile(`v?(\d+)\.(\d+)`)

// PaholeVersion runs `pahole --version` ("v1.24").
func PaholeVersion(ctx context.Context) (Version, error) {
	out, err := tool(ctx, "pahole", "dwarves", "--version")
	if err != nil {
		return Version{}, err
	}
	m := versionRE.FindStringSubmatch(string(out))
	if m == nil {
		return Version{}, fmt.Errorf("%w: pahole --version printed %q, not a version", ErrMissingTool, strings.TrimSpace(string(out)))
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return Version{major, minor}, nil
}

// tool runs name (from Debian package pkg) with args and returns its
// standard output; a tool not installed is an ErrMissingTool naming the
// package, a failure carries what the tool printed.
func tool(ctx context.Context, name, pkg string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not installed (Debian package %s)", ErrMissingTool, name, pkg)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String() + "\n" + stdout.String())
		if len(msg) > 2000 {
			msg = "…" + msg[len(msg)-2000:]
		}
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}
