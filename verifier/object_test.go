package verifier

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/internal/testutil"
)

// committedObject is one of tracebench's own objects (bpf2go, clang 14).
func committedObject(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.ModuleRoot(t), "bpf", "tracepoint_x86_bpfel.o"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenRefusesBadObjects: each kind of unusable file gets its own
// class and an error that names the file.
func TestOpenRefusesBadObjects(t *testing.T) {
	obj := committedObject(t)
	self, err := os.Executable() // an ELF for this CPU, not for eBPF
	if err != nil {
		t.Fatal(err)
	}
	elfCPU, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		data   []byte
		kind   error
		detail string
	}{
		{"empty.o", nil, ErrNotBPF, "not an ELF file"},
		{"notes.o", []byte("these are not the objects you are looking for\n"), ErrNotBPF, "not an ELF file"},
		{"x86.o", elfCPU, ErrNotBPF, "ELF for "},
		{"head.o", obj[:40], ErrTruncated, "40 bytes"},
		{"half.o", obj[:len(obj)/2], ErrTruncated, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.name, c.data, binary.LittleEndian)
			if !errors.Is(err, c.kind) {
				t.Fatalf("error %v, want class %v", err, c.kind)
			}
			var oe *ObjectError
			if !errors.As(err, &oe) || oe.Path != c.name || !strings.Contains(err.Error(), c.name) {
				t.Errorf("error %q does not name the file %s", err, c.name)
			}
			if !strings.Contains(err.Error(), c.detail) {
				t.Errorf("error %q, want it to say %q", err, c.detail)
			}
		})
	}
	if _, err := Parse("tracepoint_x86_bpfel.o", obj, binary.LittleEndian); err != nil {
		t.Fatalf("the committed object: %v", err)
	}
	if _, err := Parse("tracepoint_x86_bpfel.o", obj, binary.BigEndian); !errors.Is(err, ErrWrongArch) ||
		!strings.Contains(err.Error(), "little-endian object, the kernel is big-endian") {
		t.Errorf("little-endian object for a big-endian kernel: %v", err)
	}
}

// TestOpenBigEndianObject builds a real bpfeb object (what `clang -target
// bpf` makes on a big-endian machine) and checks it is refused for
// tracebench's little-endian targets.
func TestOpenBigEndianObject(t *testing.T) {
	clang, err := exec.LookPath("clang")
	if err != nil {
		t.Skip("needs clang (Debian: apt-get install clang)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "prog.c")
	if err := os.WriteFile(src, []byte("__attribute__((section(\"tracepoint/x\"), used)) int prog(void *ctx) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, "prog.o")
	if out, err := exec.Command(clang, "-O2", "-target", "bpfeb", "-c", src, "-o", obj).CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	_, err = Open(obj, binary.LittleEndian)
	if !errors.Is(err, ErrWrongArch) || !strings.Contains(err.Error(), "big-endian object, the kernel is little-endian") || !strings.Contains(err.Error(), obj) {
		t.Errorf("bpfeb object: %v", err)
	}
}

func TestNameArch(t *testing.T) {
	for name, want := range map[string]string{
		"dir/tracepoint_x86_bpfel.o":  "amd64",
		"tracepoint_arm64_bpfel.o":    "arm64",
		"probe.o":                     "",
		"dir_x86_bpfel.o/probe_bpf.o": "",
	} {
		if got := NameArch(name); got != want {
			t.Errorf("NameArch(%q) = %q, want %q", name, got, want)
		}
	}
}
