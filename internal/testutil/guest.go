package testutil

import (
	"testing"

	"github.com/tracebench/tracebench/vmtests"
)

// GuestCache returns the kernel cache for a test that boots qemu guests,
// after skipping it in -short mode or without root.
func GuestCache(t testing.TB) *vmtests.Cache {
	t.Helper()
	if testing.Short() {
		t.Skip("boots qemu guests")
	}
	RequireRoot(t)
	cache, err := vmtests.OpenCache("")
	if err != nil {
		t.Fatal(err)
	}
	return cache
}

// DefaultTarget returns the target of the default kernel matrix called
// name.
func DefaultTarget(t testing.TB, name string) vmtests.Target {
	t.Helper()
	tg, err := vmtests.DefaultMatrix().Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}
