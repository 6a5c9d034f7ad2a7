package kbuild

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/tracebench/tracebench/internal/btfgen"
	"github.com/tracebench/tracebench/internal/debian"
)

// Builder builds kernels into a cache directory.
type Builder struct {
	// Dir holds one directory per build (name-version-key) and, while
	// a build runs, its staging directory.
	Dir string
	// Repo is the private apt configuration the source package comes
	// from (vmtests.Cache.Repo).
	Repo *debian.Repo
	// CC is the C compiler (default gcc); Jobs the make parallelism
	// (default: every CPU).
	CC   string
	Jobs int
	// Log receives make's output; nil discards it.
	Log io.Writer
}

// Result is a cached build.
type Result struct {
	Name    string `json:"name"`
	Package string `json:"package"`
	Version string `json:"version"` // Debian version of the source package
	Key     string `json:"key"`
	Release string `json:"release"` // uname -r
	CC      string `json:"cc"`
	Pahole  string `json:"pahole"`
	// BuildSeconds is how long the build took when it ran.
	BuildSeconds float64 `json:"build_seconds"`
	// Files, relative to Dir in the manifest.
	Image   string `json:"image"`   // bzImage
	VMLinux string `json:"vmlinux"` // ELF, strip -g
	BTF     string `json:"btf"`     // detached BTF from the DWARF
	Config  string `json:"config"`
	// Dir is the build's cache directory; Built reports whether this
	// call compiled (false: a cache hit).
	Dir   string `json:"-"`
	Built bool   `json:"-"`
}

const manifestName = "build.json"

// ErrUnknownCompiler is returned (wrapped) for a compiler that is not
// installed or does not say it is gcc or clang.
var ErrUnknownCompiler = errors.New("unknown C compiler")

// Inputs are what a build's result depends on; Key hashes them.
type Inputs struct {
	Spec          Spec
	SourceVersion string
	CC, Pahole    string // the tools' version lines
	Arch          string
}

// Key identifies a build in the cache: the same source version, fragment,
// compiler and pahole give the same kernel and BTF.
func (in Inputs) Key() string {
	h := sha256.New()
	for _, s := range []string{in.Spec.Name, in.Spec.Package, in.SourceVersion, string(in.Spec.Fragment), in.CC, in.Pahole, in.Arch} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// Dir is where a build with these inputs lives under root.
func (in Inputs) Dir(root string) string {
	return filepath.Join(root, fmt.Sprintf("%s-%s-%s", in.Spec.Name, in.SourceVersion, in.Key()))
}

// Resolve checks everything that can be checked cheaply — the fragment,
// the compiler, pahole, the source package — and returns the build's
// inputs. Every bad input fails here, before any download or compile.
func (b *Builder) Resolve(ctx context.Context, spec Spec) (Inputs, error) {
	in := Inputs{Spec: spec, Arch: runtime.GOARCH}
	if runtime.GOARCH != "amd64" {
		return in, fmt.Errorf("build %s: kernel builds are x86_64 only (this host is %s)", spec.Name, runtime.GOARCH)
	}
	if err := spec.CheckFragment(); err != nil {
		return in, err
	}
	var err error
	if in.CC, err = compilerVersion(ctx, b.cc()); err != nil {
		return in, err
	}
	pv, err := btfgen.PaholeVersion(ctx)
	if err != nil {
		return in, err
	}
	in.Pahole = pv.String()
	if err := b.Repo.Update(ctx); err != nil {
		return in, err
	}
	p, err := b.Repo.Resolve(ctx, spec.Package, "")
	if err != nil {
		return in, fmt.Errorf("build %s: kernel source: %w", spec.Name, err)
	}
	in.SourceVersion = p.Version
	return in, nil
}

func (b *Builder) cc() string {
	if b.CC == "" {
		return "gcc"
	}
	return b.CC
}

// compilerVersion returns the first line of `cc --version`, refusing a
// compiler that is missing or is neither gcc nor clang.
func compilerVersion(ctx context.Context, cc string) (string, error) {
	path, err := exec.LookPath(cc)
	if err != nil {
		return "", fmt.Errorf("%w %q: not installed (%v)", ErrUnknownCompiler, cc, err)
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%w %q: %s --version: %v", ErrUnknownCompiler, cc, path, err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	if !strings.Contains(line, "gcc") && !strings.Contains(line, "GCC") && !strings.Contains(line, "clang") {
		return "", fmt.Errorf("%w %q: %s --version says %q, want gcc or clang", ErrUnknownCompiler, cc, path, line)
	}
	return line, nil
}

// Cached returns the build for in if it is in the cache.
func (b *Builder) Cached(in Inputs) (Result, bool) {
	r, err := load(in.Dir(b.Dir))
	return r, err == nil
}

// Build returns the cached build of spec, building it first if the cache
// has none for the current inputs.
func (b *Builder) Build(ctx context.Context, spec Spec) (Result, error) {
	in, err := b.Resolve(ctx, spec)
	if err != nil {
		return Result{}, err
	}
	if r, ok := b.Cached(in); ok {
		return r, nil
	}
	return b.build(ctx, in)
}

func load(dir string) (Result, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return Result{}, err
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return Result{}, fmt.Errorf("%s: %w", filepath.Join(dir, manifestName), err)
	}
	r.Dir = dir
	for _, p := range []*string{&r.Image, &r.VMLinux, &r.BTF, &r.Config} {
		*p = filepath.Join(dir, *p)
	}
	return r, nil
}

// build fetches the source, configures, checks the .config, compiles,
// keeps the artefacts and deletes the tree. The manifest is written last
// and the directory renamed into place, so a half-done build is never a hit.
func (b *Builder) build(ctx context.Context, in Inputs) (Result, error) {
	start := time.Now()
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return Result{}, err
	}
	staging, err := os.MkdirTemp(b.Dir, ".build-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(staging)
	src, err := b.unpack(ctx, in, staging)
	if err != nil {
		return Result{}, err
	}
	if err := b.configure(ctx, in.Spec, src); err != nil {
		return Result{}, err
	}
	if err := b.make(ctx, src, "bzImage"); err != nil {
		return Result{}, err
	}
	rel, err := b.output(ctx, src, "-s", "kernelrelease")
	if err != nil {
		return Result{}, err
	}
	out := filepath.Join(staging, "out")
	r := Result{
		Name: in.Spec.Name, Package: in.Spec.Package, Version: in.SourceVersion, Key: in.Key(),
		Release: strings.TrimSpace(rel), CC: in.CC, Pahole: in.Pahole,
		Image: "bzImage", VMLinux: "vmlinux", BTF: "vmlinux.btf", Config: "config",
	}
	if err := keep(ctx, src, out, r); err != nil {
		return Result{}, err
	}
	if err := os.RemoveAll(src); err != nil {
		return Result{}, err
	}
	r.BuildSeconds = time.Since(start).Seconds()
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return Result{}, err
	}
	if err := os.WriteFile(filepath.Join(out, manifestName), append(data, '\n'), 0o644); err != nil {
		return Result{}, err
	}
	dir := in.Dir(b.Dir)
	if err := os.Rename(out, dir); err != nil {
		if existing, lerr := load(dir); lerr == nil { // another build won
			return existing, nil
		}
		return Result{}, fmt.Errorf("install build %s: %w", dir, err)
	}
	r, err = load(dir)
	r.Built = true
	return r, err
}

// unpack downloads the source package and extracts its tarball into
// staging/src; the .deb and the tarball are deleted.
func (b *Builder) unpack(ctx context.Context, in Inputs, staging string) (string, error) {
	p := debian.Package{Name: in.Spec.Package, Version: in.SourceVersion}
	deb, err := b.Repo.Download(ctx, p)
	if err != nil {
		return "", err
	}
	defer os.Remove(deb)
	paths, err := debian.Extract(deb, staging, func(path string) bool {
		return strings.HasPrefix(path, "usr/src/") && strings.Contains(path, ".tar.")
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	if len(paths) != 1 {
		return "", fmt.Errorf("%s: want one source tarball under /usr/src, found %d", p, len(paths))
	}
	tarball := filepath.Join(staging, paths[0])
	defer os.Remove(tarball)
	src := filepath.Join(staging, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	if err := b.run(ctx, src, "tar", "-xaf", tarball, "--strip-components=1"); err != nil {
		return "", fmt.Errorf("%s: unpack %s: %w", p, filepath.Base(tarball), err)
	}
	return src, nil
}

// configure makes tinyconfig, merges the fragment, resolves it with
// olddefconfig and checks the result before the long compile.
func (b *Builder) configure(ctx context.Context, spec Spec, src string) error {
	if err := b.make(ctx, src, "tinyconfig"); err != nil {
		return err
	}
	frag := filepath.Join(src, "tracebench-"+spec.Name+".config")
	if err := os.WriteFile(frag, spec.Fragment, 0o644); err != nil {
		return err
	}
	if err := b.run(ctx, src, "scripts/kconfig/merge_config.sh", "-m", ".config", frag); err != nil {
		return err
	}
	if err := b.make(ctx, src, "olddefconfig"); err != nil {
		return err
	}
	config, err := os.ReadFile(filepath.Join(src, ".config"))
	if err != nil {
		return err
	}
	return spec.CheckConfig(config)
}

// keep copies the artefacts into out: the image, the BTF generated from
// the DWARF vmlinux, the vmlinux without debug info (19 MB instead of 100,
// still bootable through PVH), and the .config.
func keep(ctx context.Context, src, out string, r Result) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(src, "arch/x86/boot/bzImage"), filepath.Join(out, r.Image)); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(src, ".config"), filepath.Join(out, r.Config)); err != nil {
		return err
	}
	vmlinux := filepath.Join(src, "vmlinux")
	if _, err := btfgen.Generate(ctx, vmlinux, filepath.Join(out, r.BTF)); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "strip", "-g", "-o", filepath.Join(out, r.VMLinux), vmlinux)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("strip -g vmlinux: %w: %s", err, msg)
	}
	return nil
}

func (b *Builder) makeArgs(args ...string) []string {
	jobs := b.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	return append([]string{fmt.Sprintf("-j%d", jobs), "CC=" + b.cc()}, args...)
}

func (b *Builder) make(ctx context.Context, src string, args ...string) error {
	return b.run(ctx, src, "make", b.makeArgs(args...)...)
}

func (b *Builder) output(ctx context.Context, src string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "make", b.makeArgs(args...)...)
	cmd.Dir = src
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("make %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// run runs a build step in dir, its output to b.Log; a failure carries
// the output's last lines.
func (b *Builder) run(ctx context.Context, dir, name string, args ...string) error {
	var tail bytes.Buffer
	w := io.Writer(&tail)
	if b.Log != nil {
		w = io.MultiWriter(b.Log, &tail)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		msg := tail.String()
		if len(msg) > 3000 {
			msg = "…" + msg[len(msg)-3000:]
		}
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, msg)
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
