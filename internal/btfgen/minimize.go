package btfgen

import (
	"context"
	"debug/elf"
	"fmt"
	"os"

	"github.com/tracebench/tracebench/bpf"
)

// Minimize writes to out the part of the BTF file in that the eBPF
// objects' CO-RE relocations need (bpftool gen min_core_btf, bpftool 5.18
// or later): a few KB instead of a few MB, enough to load those objects
// and nothing else. It returns the sizes of both files.
func Minimize(ctx context.Context, in string, objects []string, out string) (full, min Info, err error) {
	if len(objects) == 0 {
		return full, min, fmt.Errorf("%w: minimize %s: no eBPF objects given", ErrBadInput, in)
	}
	if full, err = Inspect(in); err != nil {
		return full, min, err
	}
	for _, o := range objects {
		if err := checkObject(o); err != nil {
			return full, min, err
		}
	}
	tmp := out + ".tmp"
	defer os.Remove(tmp)
	args := append([]string{"gen", "min_core_btf", in, tmp}, objects...)
	if _, err := tool(ctx, "bpftool", "bpftool", args...); err != nil {
		return full, min, fmt.Errorf("minimize %s: %w", in, err)
	}
	if min, err = Inspect(tmp); err != nil {
		return full, min, fmt.Errorf("bpftool wrote unusable BTF: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return full, min, err
	}
	min.Path = out
	return full, min, nil
}

// checkObject refuses a file that is not an eBPF ELF object with BTF:
// bpftool's own message for it is terse.
func checkObject(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %s is not an eBPF object (truncated?): %w", ErrBadInput, path, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_BPF {
		return fmt.Errorf("%w: %s is an ELF file for %s, not an eBPF object", ErrBadInput, path, f.Machine)
	}
	if f.Section(".BTF") == nil {
		return fmt.Errorf("%w: %s has no .BTF section (compile with clang -g)", ErrBadInput, path)
	}
	return nil
}

// MinimizeForTracebench minimizes the BTF file in for tracebench's own
// eBPF objects of arch (package bpf) into out.
func MinimizeForTracebench(ctx context.Context, in, arch, out string) (full, min Info, err error) {
	dir, err := os.MkdirTemp("", "tracebench-objects-")
	if err != nil {
		return full, min, err
	}
	defer os.RemoveAll(dir)
	objs, err := bpf.WriteObjects(dir, arch)
	if err != nil {
		return full, min, err
	}
	return Minimize(ctx, in, objs, out)
}
