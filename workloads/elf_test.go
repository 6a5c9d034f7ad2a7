package workloads

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestTrueELF(t *testing.T) {
	for arch, want := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		img, err := TrueELF(arch)
		if err != nil {
			t.Fatal(err)
		}
		f, err := elf.NewFile(bytes.NewReader(img))
		if err != nil {
			t.Fatalf("%s: not a valid ELF: %v", arch, err)
		}
		if f.Machine != want || f.Type != elf.ET_EXEC || len(f.Progs) != 1 || f.Progs[0].Type != elf.PT_LOAD {
			t.Errorf("%s: machine %v type %v progs %d", arch, f.Machine, f.Type, len(f.Progs))
		}
		if f.Entry < f.Progs[0].Vaddr || f.Entry >= f.Progs[0].Vaddr+f.Progs[0].Memsz {
			t.Errorf("%s: entry %#x outside the segment", arch, f.Entry)
		}
	}
	if _, err := TrueELF("mips"); err == nil {
		t.Error("no error for an unknown architecture")
	}
}

// The program really runs and exits 0 on this machine.
func TestTrueELFRuns(t *testing.T) {
	img, err := TrueELF(runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), TruePath)
	if err := os.WriteFile(p, img, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(p).CombinedOutput(); err != nil || len(out) != 0 {
		t.Fatalf("run: %v, output %q", err, out)
	}
}

func TestParseLoad(t *testing.T) {
	for _, s := range []string{"getppid", "openat", "exec", "connect", "getuid"} {
		if _, err := ParseLoad(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := ParseLoad("getpid"); err == nil {
		t.Error("getpid accepted: the Go runtime calls it, so its count is not exact")
	}
}

// Every producer performs exactly the operations asked, without error.
func TestProducers(t *testing.T) {
	for _, l := range []Load{"getppid", "openat", "exec", "connect", Untraced} {
		p, err := newProducer(l, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		n, err := p.Do(50)
		if err != nil || n != 50 {
			t.Errorf("%s: %d ops, %v", l, n, err)
		}
		if err := p.Close(); err != nil {
			t.Errorf("%s close: %v", l, err)
		}
	}
}
