package debian

import (
	"os/exec"
	"testing"
)

var versionCases = []struct {
	a, b string
	want int
}{
	{"6.1.192-2", "6.1.192-1", 1},
	{"6.1.192-1", "6.1.190-1", 1},
	{"6.1.99-1", "6.1.100-1", -1},
	{"6.12.117-1~deb12u1", "6.12.117-1", -1},
	{"6.1.180-1~deb11u1", "6.1.176-1", 1},
	{"1:1.0-1", "2.0-1", 1},
	{"1.0", "1.0-0", 0},
	{"1.0~rc1-1", "1.0-1", -1},
	{"1.0a-1", "1.0+-1", -1},
	{"1.0-1", "1.0-1", 0},
	{"01.0-1", "1.0-1", 0},
	{"5.10.262-1", "6.1.192-2", -1},
}

func TestCompareVersions(t *testing.T) {
	for _, c := range versionCases {
		if got := CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := CompareVersions(c.b, c.a); got != -c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

// TestCompareVersionsAgainstDpkg checks the same cases against dpkg itself,
// the reference implementation, when it is installed.
func TestCompareVersionsAgainstDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg not installed")
	}
	ops := map[int]string{-1: "lt", 0: "eq", 1: "gt"}
	for _, c := range versionCases {
		if err := exec.Command("dpkg", "--compare-versions", c.a, ops[c.want], c.b).Run(); err != nil {
			t.Errorf("dpkg disagrees that %s %s %s", c.a, ops[c.want], c.b)
		}
	}
}
