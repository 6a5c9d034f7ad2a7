package debian

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPatternRegexp(t *testing.T) {
	re := regexp.MustCompile(patternRegexp("linux-image-6.1.0-*-arm64-unsigned"))
	for name, want := range map[string]bool{
		"linux-image-6.1.0-56-arm64-unsigned":       true,
		"linux-image-6.1.0-9-arm64-unsigned":        true,
		"linux-image-6.1.0-56-cloud-arm64-unsigned": false,
		"linux-image-6.1.0-56-arm64-unsigned-dbg":   false,
		"linux-image-6.12.0-56-arm64-unsigned":      false,
		"linux-image-6.1.0-56-arm64":                false,
	} {
		if got := re.MatchString(name); got != want {
			t.Errorf("%s matches %v, want %v", name, got, want)
		}
	}
}

func TestNewest(t *testing.T) {
	madison := []byte(`linux-image-6.12.117+deb13-amd64-unsigned:amd64 | 6.12.117-1 | http://deb.debian.org/debian trixie/main amd64 Packages
linux-image-6.12.117+deb12-amd64-unsigned:amd64 | 6.12.117-1~deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
linux-image-6.12.95+deb12-amd64-unsigned:amd64 | 6.12.95-1~bpo12+1 | http://deb.debian.org/debian bookworm-backports/main amd64 Packages
`)
	got, ok := newest(madison, "amd64")
	want := Package{Name: "linux-image-6.12.117+deb13-amd64-unsigned", Version: "6.12.117-1", Arch: "amd64", Suite: "trixie"}
	if !ok || got != want {
		t.Fatalf("newest = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := newest(nil, "amd64"); ok {
		t.Fatal("newest of nothing found a package")
	}
}

func TestSourcesList(t *testing.T) {
	got := sourcesList("http://m/debian", "http://m/debian-security")
	for _, line := range []string{
		"deb [arch=amd64,arm64] http://m/debian bookworm main",
		"deb [arch=amd64,arm64] http://m/debian-security bookworm-security main",
		"deb [arch=amd64,arm64] http://m/debian bookworm-backports main",
		"deb [arch=amd64,arm64] http://m/debian trixie main",
	} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("sources list lacks %q:\n%s", line, got)
		}
	}
	if n := strings.Count(got, "\n"); n != len(Suites) {
		t.Errorf("sources list has %d lines, want %d", n, len(Suites))
	}
}

// TestRepo runs apt for real against the Debian mirror: it resolves kernel
// images of three series, downloads and extracts a small package, and checks
// that a second Update within Freshness does not touch the lists.
func TestRepo(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads Debian's package lists; skipped with -short")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r := &Repo{Dir: t.TempDir()}
	if err := r.Update(ctx); err != nil {
		t.Fatal(err)
	}
	stamp, err := os.Stat(r.stampPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Update(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.Stat(r.stampPath()); !again.ModTime().Equal(stamp.ModTime()) {
		t.Error("second Update refreshed fresh lists")
	}

	for _, c := range []struct{ pattern, arch, prefix, suite string }{
		{"linux-image-6.1.0-*-arm64-unsigned", "arm64", "6.1.", "bookworm"},
		{"linux-image-5.10.0-*-amd64-unsigned", "amd64", "5.10.", "bullseye"},
		{"linux-image-6.12.*-amd64-unsigned", "amd64", "6.12.", ""},
	} {
		p, err := r.Resolve(ctx, c.pattern, c.arch)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(patternRegexp(c.pattern)).MatchString(p.Name) || p.Arch != c.arch ||
			!strings.HasPrefix(p.Version, c.prefix) || !strings.HasPrefix(p.Suite, c.suite) {
			t.Errorf("Resolve(%s, %s) = %+v", c.pattern, c.arch, p)
		}
		t.Logf("%s → %+v", c.pattern, p)
	}

	_, err = r.Resolve(ctx, "linux-image-0.0.0-*-amd64-unsigned", "amd64")
	if !errors.Is(err, ErrNoPackage) {
		t.Errorf("unknown package: got %v, want ErrNoPackage", err)
	}

	p, err := r.Resolve(ctx, "hello", "arm64")
	if err != nil {
		t.Fatal(err)
	}
	deb, err := r.Download(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(deb), "hello_") || !strings.HasSuffix(deb, "_arm64.deb") {
		t.Errorf("downloaded %s for %+v", deb, p)
	}
	dest := t.TempDir()
	paths, err := Extract(deb, dest, func(p string) bool { return p == "usr/bin/hello" })
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != "usr/bin/hello" {
		t.Fatalf("extracted %q, want [usr/bin/hello]", paths)
	}
	st, err := os.Stat(filepath.Join(dest, "usr/bin/hello"))
	if err != nil || st.Mode().Perm() != 0o755 || st.Size() == 0 {
		t.Errorf("extracted hello: %v, %v", st, err)
	}
	if _, err := Extract(filepath.Join(dest, "usr/bin/hello"), dest, func(string) bool { return true }); err == nil {
		t.Error("extracting a non-.deb succeeded")
	}
}

// TestUpdateUnreachableMirror: a mirror nobody answers on gives an error
// that names it, and no stamp that would make later updates skip.
func TestUpdateUnreachableMirror(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get not installed")
	}
	r := &Repo{Dir: t.TempDir(), Mirror: "http://127.0.0.1:9/debian", SecurityMirror: "http://127.0.0.1:9/debian-security"}
	err := r.Update(context.Background())
	var cmdErr *CommandError
	if !errors.As(err, &cmdErr) || !strings.Contains(err.Error(), "127.0.0.1:9") {
		t.Fatalf("got %v, want a CommandError naming the mirror", err)
	}
	if _, err := os.Stat(r.stampPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stamp written after a failed update: %v", err)
	}
}
