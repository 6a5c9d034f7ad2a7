package vmtests

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// TestCommittedBTF regenerates each Debian kernel's minimized BTF from its
// image, as make btf does, and compares it with the committed file: the
// committed data is what the kernels carry, and different per kernel.
func TestCommittedBTF(t *testing.T) {
	seen := map[string]string{}
	for name, k := range defaultKernels(t) {
		committed, err := CommittedBTF(k.Release)
		if errors.Is(err, ErrNoCommittedBTF) {
			t.Logf("%s resolves to %s, newer than the committed data: %v", name, k.Release, err)
			continue
		}
		m, err := MinimizeKernelBTF(t.Context(), k, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(m.Min.Path)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s (%s): kernel BTF %d bytes, minimized %d bytes", name, k.Release, m.Full.Size, m.Min.Size)
		if !bytes.Equal(got, committed) {
			t.Errorf("%s: vmtests/btf/%s.btf differs from the kernel's BTF minimized now: run make btf", name, k.Release)
		}
		if other, dup := seen[string(committed)]; dup {
			t.Errorf("%s and %s have the same minimized BTF: the field offsets should differ", name, other)
		}
		seen[string(committed)] = name
	}
}
