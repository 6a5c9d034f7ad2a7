package toolchain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Config is one way to build: a compiler, an optimization level and a
// target architecture, plus the source's own flags.
type Config struct {
	Compiler Compiler
	Opt      string // "-O1", "-O2", …
	Arch     string // Go name: "amd64" or "arm64"
	// CFlags are the source's own flags (-g, -Wall, -I DIR…), as given to
	// bpf2go's -cflags. An -O flag here is refused: Opt says it.
	CFlags []string
}

// ID names the configuration: "clang-14/O2/amd64".
func (c Config) ID() string {
	return c.Compiler.Name + "/" + strings.TrimPrefix(c.Opt, "-") + "/" + c.Arch
}

// ErrBadConfig is returned (wrapped) for a configuration that cannot build.
var ErrBadConfig = errors.New("bad build configuration")

// linuxArch is bpf2go's __TARGET_ARCH_ name of a Go architecture: what
// libbpf's bpf_tracing.h selects pt_regs layouts by.
var linuxArch = map[string]string{"amd64": "x86", "arm64": "arm64"}

// Arches are the architectures objects are built for.
var Arches = []string{"amd64", "arm64"}

func (c Config) check() error {
	if linuxArch[c.Arch] == "" {
		return fmt.Errorf("%w: architecture %q (want amd64 or arm64)", ErrBadConfig, c.Arch)
	}
	if !strings.HasPrefix(c.Opt, "-O") {
		return fmt.Errorf("%w: optimization level %q (want -O1, -O2…)", ErrBadConfig, c.Opt)
	}
	for _, f := range c.CFlags {
		if strings.HasPrefix(f, "-O") {
			return fmt.Errorf("%w: cflag %q: the optimization level is a dimension of the matrix, not a flag", ErrBadConfig, f)
		}
	}
	return nil
}

// args is clang's command line for source base (relative to its
// directory dir), as bpf2go builds it: -mcpu=v1 unless the flags say
// otherwise, bpfel, __TARGET_ARCH_, no compiler ident, debug paths made
// relative, BTF always (-g). output is -c -o OUT, or -M for the list of
// files the source includes.
func (c Config) args(dir, base string, output ...string) []string {
	a := []string{c.Opt, "-mcpu=v1"}
	a = append(a, c.CFlags...)
	a = append(a, "-D__TARGET_ARCH_"+linuxArch[c.Arch], "-Wunused-command-line-argument",
		"-target", "bpfel")
	a = append(a, output...)
	return append(a, base, "-fno-ident", "-fdebug-prefix-map="+dir+"=.", "-fdebug-compilation-dir", ".", "-g")
}

// BuildError is a compilation that failed, with the compiler's output.
type BuildError struct {
	Source string
	Config string
	Output string
	Err    error
}

func (e *BuildError) Error() string {
	out := strings.TrimSpace(e.Output)
	if out != "" {
		out = ":\n" + out
	}
	return fmt.Sprintf("build %s with %s: %v%s", e.Source, e.Config, e.Err, out)
}

func (e *BuildError) Unwrap() error { return e.Err }

// Cache holds built objects, one file per key.
type Cache struct{ Dir string }

// Object is a built eBPF object file.
type Object struct {
	Path string
	// Key is the hash of everything that went into the object.
	Key string
	// Cached is true when the object was already built.
	Cached bool
}

// Build compiles the C source src with cfg, or returns the object a build
// with the same key already made. Objects are stripped of DWARF like
// bpf2go's (with llvm-strip -g; BTF stays): the kernel never sees DWARF.
func (c Cache) Build(ctx context.Context, cfg Config, src string) (Object, error) {
	if err := cfg.check(); err != nil {
		return Object{}, &BuildError{Source: src, Config: cfg.ID(), Err: err}
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return Object{}, err
	}
	dir, base := filepath.Dir(abs), filepath.Base(abs)
	key, err := cfg.key(ctx, dir, base)
	if err != nil {
		return Object{}, &BuildError{Source: src, Config: cfg.ID(), Err: err}
	}
	obj := Object{Path: filepath.Join(c.Dir, key+".o"), Key: key}
	if _, err := os.Stat(obj.Path); err == nil {
		obj.Cached = true
		return obj, nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return Object{}, err
	}
	tmp, err := os.CreateTemp(c.Dir, "."+key+".tmp*.o")
	if err != nil {
		return Object{}, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // no-op after the rename
	if out, err := run(ctx, dir, cfg.Compiler.Path, cfg.args(dir, base, "-c", "-o", tmp.Name())...); err != nil {
		return Object{}, &BuildError{Source: src, Config: cfg.ID(), Output: out, Err: err}
	}
	if out, err := run(ctx, dir, "llvm-strip", "-g", tmp.Name()); err != nil {
		return Object{}, &BuildError{Source: src, Config: cfg.ID(), Output: out, Err: fmt.Errorf("llvm-strip: %w", err)}
	}
	if err := os.Rename(tmp.Name(), obj.Path); err != nil {
		return Object{}, err
	}
	return obj, nil
}

// key hashes the compiler's version, the command line and the name and
// content of every file the source includes (as clang -M lists them).
func (cfg Config) key(ctx context.Context, dir, base string) (string, error) {
	deps, err := run(ctx, dir, cfg.Compiler.Path, cfg.args(dir, base, "-M")...)
	if err != nil {
		return "", fmt.Errorf("list included files: %w: %s", err, strings.TrimSpace(deps))
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", cfg.Compiler.Version, strings.Join(cfg.args(".", base), "\x00"))
	for _, f := range depFiles(deps) {
		path := f
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, f)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("included file: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// depFiles parses make rules ("x.o: a.c b.h \<newline> c.h").
func depFiles(rules string) []string {
	var out []string
	for _, f := range strings.Fields(rules) {
		if f == "\\" || strings.HasSuffix(f, ":") {
			continue
		}
		out = append(out, f)
	}
	return out
}

// run runs a command in dir and returns its combined output.
func run(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
