package debian

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ErrNoPackage is returned (wrapped) when no package matches a name or
// pattern for the requested architecture.
var ErrNoPackage = errors.New("no such Debian package")

// ErrNoApt is returned (wrapped) when apt-get or apt-cache is not installed.
var ErrNoApt = errors.New("apt is not installed (apt-get and apt-cache come with Debian's apt package)")

// Freshness is how long downloaded package lists are trusted before Update
// fetches them again.
const Freshness = 24 * time.Hour

// Repo is a private apt configuration rooted at Dir. The zero Mirror and
// SecurityMirror take the system's mirrors (see SystemMirrors).
type Repo struct {
	Dir            string
	Mirror         string
	SecurityMirror string
}

// Package is one build of a Debian package.
type Package struct {
	Name    string
	Version string
	Arch    string // "" for an architecture-independent query
	Suite   string // e.g. bookworm-security
}

func (p Package) String() string {
	s := p.Name
	if p.Arch != "" {
		s += ":" + p.Arch
	}
	return s + "=" + p.Version
}

// CommandError is an apt command that failed, with what it printed.
type CommandError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *CommandError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if len(msg) > 2000 {
		msg = "…" + msg[len(msg)-2000:]
	}
	return fmt.Sprintf("%s: %v: %s", strings.Join(e.Args, " "), e.Err, msg)
}

func (e *CommandError) Unwrap() error { return e.Err }

func (r *Repo) sourcesPath() string { return filepath.Join(r.Dir, "sources.list") }
func (r *Repo) stampPath() string   { return filepath.Join(r.Dir, "lists", "updated") }

// options are the apt options that make apt use Dir instead of the system's
// sources, lists and cache. The binary package cache is named explicitly
// because container images often disable it (Dir::Cache::pkgcache "" in
// docker-clean), which makes every apt-cache run parse all lists again
// (seconds each). APT::Sandbox::User=root lets apt write into a directory
// the _apt user cannot reach.
func (r *Repo) options() []string {
	opts := []string{
		"-o", "APT::Architectures=" + strings.Join(Architectures, ","),
		"-o", "Dir::Etc::sourcelist=" + r.sourcesPath(),
		"-o", "Dir::Etc::sourceparts=/dev/null",
		"-o", "Dir::State::Lists=" + filepath.Join(r.Dir, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(r.Dir, "cache"),
		"-o", "Dir::Cache::pkgcache=pkgcache.bin",
	}
	if os.Geteuid() == 0 {
		opts = append(opts, "-o", "APT::Sandbox::User=root")
	}
	return opts
}

func (r *Repo) run(ctx context.Context, dir, tool string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(tool)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tool, ErrNoApt)
	}
	full := append(r.options(), args...)
	cmd := exec.CommandContext(ctx, path, full...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &CommandError{Args: append([]string{tool}, args...), Stderr: stderr.String(), Err: err}
	}
	return stdout.Bytes(), nil
}

// Update writes the private sources list and fetches the package lists,
// unless lists for the same sources were fetched less than Freshness ago: a
// cached kernel never costs network traffic. Any list that fails to download
// is an error (--error-on=any, apt 2.1.16+): by default apt-get update only
// warns and exits 0 with an unreachable mirror.
func (r *Repo) Update(ctx context.Context) error {
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	mirror, security := r.Mirror, r.SecurityMirror
	if mirror == "" || security == "" {
		m, s, err := SystemMirrors(SystemSources)
		if err != nil {
			return err
		}
		mirror, security = cmp(mirror, m), cmp(security, s)
	}
	sources := sourcesList(mirror, security)
	if r.fresh(sources) {
		return nil
	}
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(r.Dir, d), 0o755); err != nil {
			return fmt.Errorf("apt directory: %w", err)
		}
	}
	if err := os.WriteFile(r.sourcesPath(), []byte(sources), 0o644); err != nil {
		return fmt.Errorf("apt sources list: %w", err)
	}
	if _, err := r.run(ctx, r.Dir, "apt-get", "-q", "--error-on=any", "update"); err != nil {
		return fmt.Errorf("update Debian package lists: %w", err)
	}
	return os.WriteFile(r.stampPath(), []byte(sources), 0o644)
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// fresh reports whether the lists were fetched recently for these sources.
func (r *Repo) fresh(sources string) bool {
	st, err := os.Stat(r.stampPath())
	if err != nil || time.Since(st.ModTime()) > Freshness {
		return false
	}
	old, err := os.ReadFile(r.stampPath())
	return err == nil && string(old) == sources
}

// patternRegexp turns a name pattern into an anchored regular expression
// understood by both Go and apt-cache (POSIX ERE). '*' matches any run of
// characters other than '-', so linux-image-6.1.0-*-arm64-unsigned matches
// the builds of the arm64 flavour but not the cloud-arm64 or rt-arm64 ones.
func patternRegexp(pattern string) string {
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return "^" + strings.Join(parts, "[^-]*") + "$"
}

// Resolve returns the newest build, by Debian version order, of the packages
// whose names match pattern (an exact name, or '*' wildcards as described
// at patternRegexp) for arch ("" for architecture-independent packages).
// Call Update first.
func (r *Repo) Resolve(ctx context.Context, pattern, arch string) (Package, error) {
	unlock, err := r.lock()
	if err != nil {
		return Package{}, err
	}
	defer unlock()
	expr := patternRegexp(pattern)
	out, err := r.run(ctx, r.Dir, "apt-cache", "search", "--names-only", expr)
	if err != nil {
		return Package{}, fmt.Errorf("resolve %s: %w", pattern, err)
	}
	re := regexp.MustCompile(expr)
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(line, " ")
		if re.MatchString(name) {
			names = append(names, qualify(name, arch))
		}
	}
	if len(names) == 0 {
		return Package{}, fmt.Errorf("resolve %s for %s: %w", pattern, orAll(arch), ErrNoPackage)
	}
	out, err = r.run(ctx, r.Dir, "apt-cache", append([]string{"madison"}, names...)...)
	if err != nil {
		return Package{}, fmt.Errorf("resolve %s: %w", pattern, err)
	}
	best, ok := newest(out, arch)
	if !ok {
		return Package{}, fmt.Errorf("resolve %s for %s: %w", pattern, orAll(arch), ErrNoPackage)
	}
	return best, nil
}

func qualify(name, arch string) string {
	if arch == "" {
		return name
	}
	return name + ":" + arch
}

func orAll(arch string) string {
	if arch == "" {
		return "any architecture"
	}
	return arch
}

// newest picks the highest version from apt-cache madison output, whose
// lines read "name[:arch] | version | mirror suite/component arch Packages".
func newest(madison []byte, arch string) (Package, bool) {
	var best Package
	found := false
	for _, line := range strings.Split(string(madison), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 3 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSpace(f[0]), ":")
		src := strings.Fields(f[2])
		if len(src) < 2 {
			continue
		}
		suite, _, _ := strings.Cut(src[1], "/")
		p := Package{Name: name, Version: strings.TrimSpace(f[1]), Arch: arch, Suite: suite}
		if !found || CompareVersions(p.Version, best.Version) > 0 {
			best, found = p, true
		}
	}
	return best, found
}

// Download fetches p's .deb (checked by apt against the signed package
// lists) into Dir/debs and returns its path; the caller removes it when done.
func (r *Repo) Download(ctx context.Context, p Package) (string, error) {
	unlock, err := r.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	debs := filepath.Join(r.Dir, "debs")
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return "", fmt.Errorf("download %s: %w", p, err)
	}
	// A private directory per download: apt-get download writes into the
	// working directory under a name we only know afterwards.
	tmp, err := os.MkdirTemp(debs, "partial-")
	if err != nil {
		return "", fmt.Errorf("download %s: %w", p, err)
	}
	defer os.RemoveAll(tmp)
	if _, err := r.run(ctx, tmp, "apt-get", "-q", "download", p.String()); err != nil {
		return "", fmt.Errorf("download %s: %w", p, err)
	}
	got, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(got) != 1 {
		return "", fmt.Errorf("download %s: apt-get left %d .deb files, want 1", p, len(got))
	}
	dst := filepath.Join(debs, filepath.Base(got[0]))
	if err := os.Rename(got[0], dst); err != nil {
		return "", fmt.Errorf("download %s: %w", p, err)
	}
	return dst, nil
}
