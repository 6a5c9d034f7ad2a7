package vmtests

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tracebench/tracebench/internal/btfgen"
)

// committedBTF holds, per kernel release of the default matrix's Debian
// targets, that kernel's BTF minimized for tracebench's eBPF objects
// (btf/RELEASE.btf, a few hundred bytes each; `make btf` writes them). A
// target with hide_btf loads through it: CI proves the objects run from
// shipped BTF without downloading any debug package.
//
//go:embed btf
var committedBTF embed.FS

// ErrNoCommittedBTF is returned (wrapped) for a kernel release without a
// committed minimized BTF file.
var ErrNoCommittedBTF = errors.New("no committed BTF for this kernel")

// CommittedBTF returns the committed minimized BTF of a kernel release.
func CommittedBTF(release string) ([]byte, error) {
	b, err := committedBTF.ReadFile("btf/" + release + ".btf")
	if err != nil {
		return nil, fmt.Errorf("%w %s (vmtests/btf/%s.btf): run make btf after the matrix resolves a new build", ErrNoCommittedBTF, release, release)
	}
	return b, nil
}

// MinimizedBTF is a kernel's BTF cut to tracebench's objects, and the
// size of the kernel's whole BTF.
type MinimizedBTF struct {
	Release   string
	Full, Min btfgen.Info
	Kernel    Kernel
}

// MinimizeKernelBTF extracts the BTF that kernel k carries in its image
// (amd64: the ELF vmlinux; arm64: the raw Image) and writes it, minimized
// for tracebench's objects of k's architecture, to dir/RELEASE.btf. The
// kernel's own BTF is the same the -dbg package's DWARF would give (Debian
// builds it with pahole from that DWARF) without its 0.8-1 GB download.
func MinimizeKernelBTF(ctx context.Context, k Kernel, dir string) (MinimizedBTF, error) {
	blob, err := btfgen.Extract(k.BootImage())
	if err != nil {
		return MinimizedBTF{}, fmt.Errorf("target %s: %w", k.Target, err)
	}
	tmp, err := os.MkdirTemp("", "tracebench-btf-")
	if err != nil {
		return MinimizedBTF{}, err
	}
	defer os.RemoveAll(tmp)
	full := filepath.Join(tmp, k.Release+".full.btf")
	if err := os.WriteFile(full, blob, 0o644); err != nil {
		return MinimizedBTF{}, err
	}
	f, m, err := btfgen.MinimizeForTracebench(ctx, full, k.Arch, filepath.Join(dir, k.Release+".btf"))
	if err != nil {
		return MinimizedBTF{}, fmt.Errorf("target %s: %w", k.Target, err)
	}
	return MinimizedBTF{Release: k.Release, Full: f, Min: m, Kernel: k}, nil
}
