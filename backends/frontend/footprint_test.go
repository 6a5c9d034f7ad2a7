package frontend

import (
	"slices"
	"testing"
)

// A tool's footprint counts its packages and the dependencies a minimal
// system lacks: not what Essential or required packages pull in, whatever
// the path, alternatives resolved to the installed one, virtual packages
// to their provider.
func TestFootprintRule(t *testing.T) {
	db := "" +
		"tool\tii \t\toptional\t100\t\t, libbig (>= 1), libc6, alt-a | alt-b, virtual-x\n" +
		"libbig\tii \t\toptional\t1000\t\t, libc6:any, libsmall\n" +
		"libsmall\tii \t\toptional\t10\t\t, \n" +
		"alt-b\tii \t\toptional\t5\t\t, \n" +
		"provider\tii \t\toptional\t7\tvirtual-x (= 1)\t, \n" +
		"libc6\tii \t\toptional\t13000\t\t, libgcc-s1\n" +
		"libgcc-s1\tii \t\toptional\t150\t\t, \n" +
		"dpkg\tii \tyes\trequired\t6000\t\tlibc6, \n" +
		"removed\trc \t\toptional\t99\t\t, \n"
	fp, err := footprint(db, []string{"tool"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alt-b", "libbig", "libsmall", "provider", "tool"}; !slices.Equal(fp.Packages, want) {
		t.Errorf("packages %v, want %v", fp.Packages, want)
	}
	if fp.KB != 100+1000+10+5+7 {
		t.Errorf("size %d KB", fp.KB)
	}
	if _, err := footprint(db, []string{"removed"}); err == nil {
		t.Error("a package not installed was measured")
	}
}
