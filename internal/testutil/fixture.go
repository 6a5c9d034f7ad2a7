package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// Fixture returns the path of a checked-in results run directory under
// results/testdata (see its README): "host" (a real run on the
// development VM) or "matrix" (that run plus two derived guest targets).
func Fixture(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(ModuleRoot(t), "results", "testdata", name)
}

// CopyFixture copies a fixture's results.json into a new temporary
// directory, so that a test can write a report next to it.
func CopyFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Fixture(t, name), "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
