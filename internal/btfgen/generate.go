package btfgen

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cilium/ebpf/btf"
)

// Info describes a BTF file.
type Info struct {
	Path  string `json:"path"`
	Size  int64  `json:"size"`
	Types int    `json:"types"`
}

// Generate writes the detached BTF of vmlinux, an ELF kernel with DWARF
// (CONFIG_DEBUG_INFO, not reduced), to out: raw BTF, the format
// /sys/kernel/btf/vmlinux has, which cilium/ebpf and bpftool read. It
// checks the input and the tools before running pahole, and the output by
// parsing it.
func Generate(ctx context.Context, vmlinux, out string) (Info, error) {
	if err := checkDWARF(vmlinux); err != nil {
		return Info{}, err
	}
	v, err := PaholeVersion(ctx)
	if err != nil {
		return Info{}, err
	}
	if v.Less(minPahole) {
		return Info{}, fmt.Errorf("%w: pahole %s cannot encode BTF (-J needs %s or later)", ErrMissingTool, v, minPahole)
	}
	tmp := out + ".tmp"
	defer os.Remove(tmp)
	if v.Less(detachedPahole) {
		err = generateObjcopy(ctx, vmlinux, tmp)
	} else {
		_, err = tool(ctx, "pahole", "dwarves", "--btf_encode_detached="+tmp, vmlinux)
	}
	if err != nil {
		return Info{}, fmt.Errorf("generate BTF from %s: %w", vmlinux, err)
	}
	info, err := Inspect(tmp)
	if err != nil {
		return Info{}, fmt.Errorf("pahole wrote unusable BTF from %s: %w", vmlinux, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return Info{}, err
	}
	info.Path = out
	return info, nil
}

// generateObjcopy is the classic recipe for pahole before 1.22: encode
// into a copy of the vmlinux (pahole -J adds a .BTF section), then dump
// that section. Dumping rather than --only-section keeps a raw file:
// cilium/ebpf refuses an ELF BTF file without a symbol table.
func generateObjcopy(ctx context.Context, vmlinux, out string) error {
	dir, err := os.MkdirTemp(filepath.Dir(out), ".btfgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cp := filepath.Join(dir, "vmlinux")
	if _, err := tool(ctx, "cp", "coreutils", vmlinux, cp); err != nil {
		return err
	}
	if _, err := tool(ctx, "pahole", "dwarves", "-J", cp); err != nil {
		return err
	}
	_, err = tool(ctx, "llvm-objcopy", "llvm", "--dump-section", ".BTF="+out, cp)
	return err
}

// checkDWARF opens vmlinux as ELF and checks it is a whole kernel with
// DWARF: a truncated file, a non-ELF file, another program or a stripped
// kernel is refused with its name before pahole runs.
func checkDWARF(vmlinux string) error {
	f, err := elf.Open(vmlinux)
	if err != nil {
		return fmt.Errorf("%w: %s is not a readable ELF kernel (truncated?): %w", ErrBadInput, vmlinux, err)
	}
	defer f.Close()
	st, err := os.Stat(vmlinux)
	if err != nil {
		return err
	}
	// A truncated file keeps its section headers if they were written
	// first; its sections then end past the end of the file.
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS && s.Offset+s.FileSize > uint64(st.Size()) {
			return fmt.Errorf("%w: %s is truncated: section %s ends at byte %d of %d", ErrBadInput, vmlinux, s.Name, s.Offset+s.FileSize, st.Size())
		}
	}
	if f.Section(".debug_info") == nil {
		return fmt.Errorf("%w: %s has no DWARF (.debug_info): build with CONFIG_DEBUG_INFO, or take the vmlinux of Debian's linux-image-*-dbg package", ErrBadInput, vmlinux)
	}
	syms, err := f.Symbols()
	if err != nil {
		return fmt.Errorf("%w: %s has no symbol table: %w", ErrBadInput, vmlinux, err)
	}
	for _, s := range syms {
		if s.Name == "linux_banner" {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not a Linux kernel (no linux_banner symbol)", ErrBadInput, vmlinux)
}

// Inspect parses a BTF file (raw or ELF) and says how big it is.
func Inspect(path string) (Info, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	spec, err := btf.LoadSpec(path)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %s is not a BTF file (truncated?): %w", ErrBadInput, path, err)
	}
	n := 0
	for _, err := range spec.All() {
		if err != nil {
			return Info{}, fmt.Errorf("%w: %s: %w", ErrBadInput, path, err)
		}
		n++
	}
	return Info{Path: path, Size: st.Size(), Types: n}, nil
}
