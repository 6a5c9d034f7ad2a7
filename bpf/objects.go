package bpf

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// objects are the compiled programs (the files the bindings embed), for
// tools that work on object files: bpftool gen min_core_btf keeps of a
// kernel's BTF just what these objects relocate against.
//
//go:embed *_bpfel.o
var objects embed.FS

// objectArch is bpf2go's name for a Go architecture.
var objectArch = map[string]string{"amd64": "x86", "arm64": "arm64"}

// WriteObjects writes tracebench's eBPF objects for arch (amd64 or arm64)
// under dir and returns their paths, sorted.
func WriteObjects(dir, arch string) ([]string, error) {
	suffix, ok := objectArch[arch]
	if !ok {
		return nil, fmt.Errorf("no eBPF objects for architecture %q (amd64, arm64)", arch)
	}
	entries, err := objects.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "_"+suffix+"_bpfel.o") {
			continue
		}
		b, err := objects.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, e.Name())
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
