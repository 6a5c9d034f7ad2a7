package btfgen

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// fakeKernel compiles, with DWARF, a small ELF program that has what
// Generate checks for in a kernel (linux_banner) and a struct pahole
// turns into BTF: real gcc, real DWARF, real pahole.
func fakeKernel(t *testing.T) string {
	return compile(t, `
struct task_struct { int pid; int tgid; struct task_struct *real_parent; };
const char linux_banner[] = "Linux version 0.0.1";
struct task_struct init_task;
int main(void) { return init_task.tgid; }
`)
}

// compile builds a C program with DWARF.
func compile(t *testing.T, code string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "k.c")
	os.WriteFile(src, []byte(code), 0o644)
	out := filepath.Join(dir, "vmlinux")
	if msg, err := exec.Command("gcc", "-g", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v: %s", err, msg)
	}
	return out
}

func TestGenerate(t *testing.T) {
	vmlinux := fakeKernel(t)
	out := filepath.Join(t.TempDir(), "vmlinux.btf")
	info, err := Generate(t.Context(), vmlinux, out)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadSpec(out)
	if err != nil {
		t.Fatal(err)
	}
	var ts *btf.Struct
	if err := spec.TypeByName("task_struct", &ts); err != nil {
		t.Fatal(err)
	}
	if len(ts.Members) != 3 || ts.Members[1].Name != "tgid" || ts.Members[1].Offset.Bytes() != 4 {
		t.Errorf("task_struct from DWARF: %+v", ts.Members)
	}
	if st, _ := os.Stat(out); info.Path != out || info.Size != st.Size() || info.Types == 0 {
		t.Errorf("info %+v", info)
	}
}

// TestGenerateObjcopy is the recipe for pahole before 1.22.
func TestGenerateObjcopy(t *testing.T) {
	if _, err := exec.LookPath("llvm-objcopy"); err != nil {
		t.Skip("llvm-objcopy (Debian package llvm) not installed")
	}
	out := filepath.Join(t.TempDir(), "vmlinux.btf")
	if err := generateObjcopy(t.Context(), fakeKernel(t), out); err != nil {
		t.Fatal(err)
	}
	if _, err := Inspect(out); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateBadInput(t *testing.T) {
	vmlinux := fakeKernel(t)
	dir := t.TempDir()
	b, _ := os.ReadFile(vmlinux)
	truncated := filepath.Join(dir, "truncated")
	os.WriteFile(truncated, b[:len(b)/2], 0o644)
	stripped := filepath.Join(dir, "stripped")
	if msg, err := exec.Command("strip", "-g", "-o", stripped, vmlinux).CombinedOutput(); err != nil {
		t.Fatalf("strip: %v: %s", err, msg)
	}
	notKernel := compile(t, "int main(void) { return 0; }\n")
	rawBTF := filepath.Join(dir, "raw.btf")
	if _, err := Generate(t.Context(), vmlinux, rawBTF); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "nothing"), "no such file"},
		{"truncated", truncated, "truncated"},
		{"no DWARF", stripped, "has no DWARF (.debug_info)"},
		{"not a kernel", notKernel, "not a Linux kernel"},
		{"not ELF", rawBTF, "not a readable ELF kernel"},
	} {
		_, err := Generate(t.Context(), c.path, filepath.Join(dir, "out.btf"))
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: got %v, want ErrBadInput naming %s and %q", c.name, err, c.path, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.btf")); err == nil {
		t.Error("bad input wrote an output file")
	}
}

func TestMissingTools(t *testing.T) {
	vmlinux := fakeKernel(t)
	t.Setenv("PATH", t.TempDir())
	out := filepath.Join(t.TempDir(), "x.btf")
	if _, err := Generate(t.Context(), vmlinux, out); !errors.Is(err, ErrMissingTool) || !strings.Contains(err.Error(), "pahole is not installed (Debian package dwarves)") {
		t.Errorf("generate without pahole: %v", err)
	}
	if _, _, err := MinimizeForTracebench(t.Context(), KernelBTFPath(t), "amd64", out); !errors.Is(err, ErrMissingTool) || !strings.Contains(err.Error(), "bpftool is not installed") {
		t.Errorf("minimize without bpftool: %v", err)
	}
}

// KernelBTFPath is the running kernel's BTF, or the test skips.
func KernelBTFPath(t *testing.T) string {
	t.Helper()
	const p = "/sys/kernel/btf/vmlinux"
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	return p
}

// TestMinimize cuts the running kernel's BTF to tracebench's objects, for
// both architectures' objects: what they relocate against, and no more.
func TestMinimize(t *testing.T) {
	in := KernelBTFPath(t)
	for _, arch := range []string{"amd64", "arm64"} {
		out := filepath.Join(t.TempDir(), arch+".btf")
		full, min, err := MinimizeForTracebench(t.Context(), in, arch, out)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes (%d types) → %d bytes (%d types)", arch, full.Size, full.Types, min.Size, min.Types)
		if min.Size >= full.Size/100 || min.Types == 0 {
			t.Errorf("%s: minimized %+v from %+v", arch, min, full)
		}
		spec, err := btf.LoadSpec(out)
		if err != nil {
			t.Fatal(err)
		}
		var ts *btf.Struct
		if err := spec.TypeByName("task_struct", &ts); err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		var names []string
		for _, m := range ts.Members {
			names = append(names, m.Name)
		}
		if got := strings.Join(names, ","); got != "tgid,real_parent" && got != "real_parent,tgid" {
			t.Errorf("%s: minimized task_struct has %s, want tgid and real_parent (what the programs read through CO-RE)", arch, got)
		}
	}
}

func TestMinimizeBadInput(t *testing.T) {
	in := KernelBTFPath(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "min.btf")
	notBTF := filepath.Join(dir, "not.btf")
	os.WriteFile(notBTF, []byte("\x9f\xeb\x01\x00garbage"), 0o644)
	notBPF, _ := os.Executable()
	for _, c := range []struct {
		name, in string
		objs     []string
		want     string
	}{
		{"truncated BTF", notBTF, []string{notBPF}, "is not a BTF file"},
		{"not an eBPF object", in, []string{notBPF}, "not an eBPF object"},
		{"no objects", in, nil, "no eBPF objects given"},
	} {
		_, _, err := Minimize(t.Context(), c.in, c.objs, out)
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want ErrBadInput with %q", c.name, err, c.want)
		}
	}
}

// TestExtract finds the BTF blob in a file that carries it: raw BTF
// (/sys/kernel/btf/vmlinux, at offset 0) and an ELF file with a .BTF
// section (pahole -J's output), and refuses a file without any.
func TestExtract(t *testing.T) {
	in := KernelBTFPath(t)
	want, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Extract(in)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("kernel BTF: %d bytes, %v; want the whole %d-byte file", len(got), err, len(want))
	}
	vmlinux := fakeKernel(t)
	detached := filepath.Join(t.TempDir(), "detached.btf")
	if _, err := Generate(t.Context(), vmlinux, detached); err != nil {
		t.Fatal(err)
	}
	encoded := filepath.Join(t.TempDir(), "vmlinux")
	b, _ := os.ReadFile(vmlinux)
	os.WriteFile(encoded, b, 0o644)
	if msg, err := exec.Command("pahole", "-J", encoded).CombinedOutput(); err != nil {
		t.Fatalf("pahole -J: %v: %s", err, msg)
	}
	want, _ = os.ReadFile(detached)
	if got, err := Extract(encoded); err != nil || !bytes.Equal(got, want) {
		t.Errorf("ELF with .BTF: %d bytes, %v; want the %d bytes pahole detaches", len(got), err, len(want))
	}
	if _, err := Extract(vmlinux); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "carries no BTF") {
		t.Errorf("no BTF: %v", err)
	}
}
