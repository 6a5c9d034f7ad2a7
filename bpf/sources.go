package bpf

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sources are the C sources of the programs and of the verifier fixtures,
// embedded so that `tracebench verify --project` can build them with other
// compilers from any directory.
//
//go:embed *.c include/*.h fixtures/*.c fixtures/*.h
var sources embed.FS

// CFlags are the flags of the go:generate lines above without -O2: for
// `tracebench verify` the optimization level is a dimension of the matrix.
var CFlags = []string{"-g", "-Wall", "-Werror", "-I./include"}

// WriteSources writes the embedded sources under dir and returns the paths
// of the program sources (dir/NAME.c, one per backend family) and of the
// verifier fixtures (dir/fixtures/NAME.c).
func WriteSources(dir string) (programs, fixtures []string, err error) {
	err = fs.WalkDir(sources, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := sources.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		switch {
		case !strings.HasSuffix(path, ".c"):
		case strings.HasPrefix(path, "fixtures/"):
			fixtures = append(fixtures, dst)
		default:
			programs = append(programs, dst)
		}
		return nil
	})
	return programs, fixtures, err
}
