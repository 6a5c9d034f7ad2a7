package vmtests

import (
	"runtime"
	"slices"
)

// Arches are the guest architectures, in Debian's names (which are Go's).
var Arches = []string{"amd64", "arm64"}

func validArch(a string) bool { return slices.Contains(Arches, a) }

// HostArch returns the host's architecture in the same names.
func HostArch() string { return runtime.GOARCH }
