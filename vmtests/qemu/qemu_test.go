package qemu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestArgs(t *testing.T) {
	m := Machine{Arch: "amd64", Kernel: "/k/vmlinux", Initrd: "/k/initrd", Cmdline: "quiet", ConsoleLog: "/l/console",
		Ports: []Port{{Name: "tracebench.results", Path: "/l/results"}}}
	a, err := m.args(false)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(a, " ")
	for _, want := range []string{
		"-nodefaults", "-no-reboot", "-nic none", "-m 512M", "-smp 1", "-kernel /k/vmlinux", "-initrd /k/initrd",
		"-M pc", "-accel tcg -cpu max", "-append console=ttyS0 no_timer_check panic=-1 quiet",
		"-chardev file,id=console,path=/l/console -serial chardev:console",
		"-device virtio-serial-pci,id=vser -chardev file,id=port0,path=/l/results -device virtserialport,bus=vser.0,chardev=port0,name=tracebench.results",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("amd64 args lack %q:\n%s", want, joined)
		}
	}
	m.Shares = []Share{{Tag: "root", Path: "/"}, {Tag: "h", Path: "/a,b"}}
	a, _ = m.args(false)
	joined = strings.Join(a, " ")
	for _, want := range []string{
		"-fsdev local,id=share0,path=/,security_model=none,readonly=on,multidevs=remap -device virtio-9p-pci,fsdev=share0,mount_tag=root",
		"-fsdev local,id=share1,path=/a,,b,", // qemu's escape of a comma
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("shares: args lack %q:\n%s", want, joined)
		}
	}
	m.Shares = nil
	m.Arch, m.Memory, m.CPUs = "arm64", "1G", 2
	a, _ = m.args(false)
	joined = strings.Join(a, " ")
	for _, want := range []string{"-M virt", "-cpu max,pauth=off", "console=ttyAMA0 panic=-1", "-m 1G", "-smp 2"} {
		if !strings.Contains(joined, want) {
			t.Errorf("arm64 args lack %q:\n%s", want, joined)
		}
	}
	if slices.Contains(a, "-icount") {
		t.Errorf("icount without being asked: %q", a)
	}
	m.ICount = "shift=0"
	if a, _ := m.args(false); !strings.Contains(strings.Join(a, " "), "-accel tcg -cpu max,pauth=off -icount shift=0") {
		t.Errorf("TCG args with icount: %q", a)
	}
	if a, _ := m.args(true); !slices.Contains(a, "kvm") || !slices.Contains(a, "host") || slices.Contains(a, "-icount") {
		t.Errorf("KVM args (icount must be dropped): %q", a)
	}
	m.Arch = "riscv64"
	if _, err := m.args(false); err == nil {
		t.Error("riscv64 accepted")
	}
}

func TestConsole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console")
	log := "\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS\r\n[    1.0] ok\r\n\r\n[    2.0] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n[    2.1] CPU: 0\r\n"
	os.WriteFile(path, []byte(log), 0o644)
	lines := readConsole(path)
	want := []string{"SeaBIOS", "[    1.0] ok", "[    2.0] Kernel panic - not syncing: VFS: Unable to mount root fs", "[    2.1] CPU: 0"}
	if !slices.Equal(lines, want) {
		t.Fatalf("console lines %q, want %q", lines, want)
	}
	if p, from := panicked(lines); !p || !slices.Equal(from, want) {
		t.Errorf("panicked = %v, %q", p, from)
	}
	if p, _ := panicked(lines[:2]); p {
		t.Error("panic found in a clean console")
	}
	many := make([]string, 100)
	if len(tail(many)) != TailLines {
		t.Errorf("tail of 100 lines has %d", len(tail(many)))
	}
}

func TestMissingQemu(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for arch, pkg := range map[string]string{"amd64": "qemu-system-x86", "arm64": "qemu-system-arm"} {
		_, err := Run(context.Background(), Machine{Arch: arch})
		var missing *MissingError
		if !errors.Is(err, ErrMissing) || !errors.As(err, &missing) || missing.Package != pkg || !strings.Contains(err.Error(), "apt-get install "+pkg) {
			t.Errorf("%s: got %v, want a MissingError naming %s", arch, err, pkg)
		}
	}
}

// TestKVMProbe: without vmx/svm on an x86 host, KVM is never reported
// usable, whatever /dev/kvm says (kvm_pvm serves /dev/kvm without them).
func TestKVMProbe(t *testing.T) {
	if runtime.GOARCH == "amd64" && !cpuHasVirtualization() && KVMUsable() {
		t.Error("KVM reported usable without vmx or svm")
	}
	if Emulated("arm64") != (runtime.GOARCH != "arm64" || !KVMUsable()) {
		t.Error("arm64 guests on this host: Emulated disagrees with the probe")
	}
	t.Logf("KVM usable: %v; vmx/svm: %v", KVMUsable(), cpuHasVirtualization())
}

func TestPool(t *testing.T) {
	p := NewPool(1)
	ctx, cancel := context.WithCancel(context.Background())
	held := make(chan struct{})
	release := make(chan struct{})
	go p.Do(ctx, func() error { close(held); <-release; return nil })
	<-held
	cancel()
	if err := p.Do(ctx, func() error { t.Error("ran without a free slot"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Do on a full pool with a cancelled context: %v", err)
	}
	close(release)
	if err := p.Do(context.Background(), func() error { return os.ErrClosed }); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Do returned %v, want f's error", err)
	}
}
