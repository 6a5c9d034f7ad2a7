package debian

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Suites are the distributions the private sources list names: the kernels
// of bullseye (5.10), bookworm (6.1, and 6.12 through bookworm-backports and
// bookworm-security) and trixie (6.12). Security suites live on the security
// mirror.
var Suites = []string{"bullseye", "bullseye-security", "bookworm", "bookworm-security", "bookworm-backports", "trixie"}

// Architectures are the package architectures the private configuration
// knows, whatever the host's own architecture.
var Architectures = []string{"amd64", "arm64"}

// Default mirrors, used when the system names none.
const (
	DefaultMirror         = "http://deb.debian.org/debian"
	DefaultSecurityMirror = "http://deb.debian.org/debian-security"
)

// SystemSources is the deb822 sources file whose mirrors the private
// configuration reuses, so a machine behind a local mirror keeps using it.
const SystemSources = "/etc/apt/sources.list.d/debian.sources"

// SystemMirrors returns the main and security mirror URIs named in the deb822
// file at path; the security mirror is the URI containing "security". A
// missing file or mirror gives the defaults.
func SystemMirrors(path string) (mirror, security string, err error) {
	mirror, security = DefaultMirror, DefaultSecurityMirror
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return mirror, security, nil
	}
	if err != nil {
		return "", "", fmt.Errorf("read apt sources: %w", err)
	}
	defer f.Close()
	foundMain, foundSecurity := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		uris, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "URIs:")
		if !ok {
			continue
		}
		for _, u := range strings.Fields(uris) {
			switch {
			case strings.Contains(u, "security") && !foundSecurity:
				security, foundSecurity = u, true
			case !strings.Contains(u, "security") && !foundMain:
				mirror, foundMain = u, true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("read apt sources %s: %w", path, err)
	}
	return mirror, security, nil
}

// sourcesList renders the private one-line-style sources list.
func sourcesList(mirror, security string) string {
	var b strings.Builder
	arches := strings.Join(Architectures, ",")
	for _, s := range Suites {
		m := mirror
		if strings.HasSuffix(s, "-security") {
			m = security
		}
		fmt.Fprintf(&b, "deb [arch=%s] %s %s main\n", arches, m, s)
	}
	return b.String()
}
