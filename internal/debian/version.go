package debian

import (
	"strings"
)

// CompareVersions orders two Debian package versions as dpkg does
// (deb-version(7)): epoch first, then the upstream version, then the Debian
// revision, each compared as alternating runs of non-digits and numbers, where
// '~' sorts before everything (so 6.12.117-1~deb12u1 < 6.12.117-1) and
// letters sort before other characters. It returns -1, 0 or +1.
func CompareVersions(a, b string) int {
	ea, ua, ra := splitVersion(a)
	eb, ub, rb := splitVersion(b)
	if c := compareNumber(ea, eb); c != 0 {
		return c
	}
	if c := compareFragment(ua, ub); c != 0 {
		return c
	}
	return compareFragment(ra, rb)
}

// splitVersion splits [epoch:]upstream[-revision]; the revision starts after
// the last hyphen.
func splitVersion(v string) (epoch, upstream, revision string) {
	epoch = "0"
	if i := strings.IndexByte(v, ':'); i >= 0 {
		epoch, v = v[:i], v[i+1:]
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

func compareFragment(a, b string) int {
	for a != "" || b != "" {
		var na, nb string
		na, a = span(a, false)
		nb, b = span(b, false)
		if c := compareLexical(na, nb); c != 0 {
			return c
		}
		na, a = span(a, true)
		nb, b = span(b, true)
		if c := compareNumber(na, nb); c != 0 {
			return c
		}
	}
	return 0
}

// span splits s after its leading run of digits (digits true) or non-digits.
func span(s string, digits bool) (head, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) == digits {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func compareNumber(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}

// compareLexical compares non-digit runs with dpkg's character order; the end
// of a string sorts after '~' and before anything else.
func compareLexical(a, b string) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		if c := sign(order(a, i) - order(b, i)); c != 0 {
			return c
		}
	}
	return 0
}

func order(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	switch {
	case c == '~':
		return -1
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return int(c)
	default:
		return int(c) + 256
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
