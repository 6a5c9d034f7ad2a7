package vmtests

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultMatrix(t *testing.T) {
	m := DefaultMatrix()
	want := []string{"debian:5.10/amd64", "debian:6.1/amd64", "debian:6.1/arm64", "debian:6.12/amd64", "debian:6.12/arm64", "host", "nobtf:6.1/amd64"}
	if got := m.Names(); !slices.Equal(got, want) {
		t.Fatalf("default targets %q, want %q", got, want)
	}
	for _, tg := range m.Targets {
		if tg.Host() {
			if tg.Arch != HostArch() {
				t.Errorf("host target arch %q", tg.Arch)
			}
			continue
		}
		if (tg.Arch == "arm64") != (tg.ICount == "shift=3") {
			t.Errorf("target %s: icount %q; arm64 guests need it for their PMU to count instructions", tg.Name, tg.ICount)
		}
		if b, ok := tg.Source.(KernelBuild); ok {
			if b.Name != "nobtf" || tg.Arch != "amd64" || !tg.BTFMin || tg.BTF != "" {
				t.Errorf("target %s: %+v, want the nobtf build, amd64, with its generated BTF minimized", tg.Name, tg)
			}
			continue
		}
		d, ok := tg.Source.(DebianPackage)
		if !ok || !strings.HasSuffix(d.Pattern, "-"+tg.Arch+"-unsigned") || !strings.HasSuffix(tg.Name, "/"+tg.Arch) {
			t.Errorf("target %s: source %v, arch %s", tg.Name, tg.Source, tg.Arch)
		}
	}
	if _, err := m.Lookup("debian:4.19/amd64"); !errors.Is(err, ErrUnknownTarget) || !strings.Contains(err.Error(), "debian:6.1/arm64") {
		t.Errorf("unknown target: got %v, want ErrUnknownTarget listing the known ones", err)
	}
}

func TestParseMatrixFields(t *testing.T) {
	m, err := ParseMatrix("m.toml", []byte(`
[target.local]
image = "/boot/vmlinuz"
modules = "/lib/modules/6.1.0"
arch = "amd64"
btf = "/tmp/vmlinux.btf"
btf_min = true
smp = 2
memory = "1G"
timeout = "90s"
icount = 0
`))
	if err != nil {
		t.Fatal(err)
	}
	got := m.Targets[0]
	want := Target{Name: "local", Source: LocalImage{Image: "/boot/vmlinuz", Modules: "/lib/modules/6.1.0"},
		Arch: "amd64", BTF: "/tmp/vmlinux.btf", BTFMin: true, CPUs: 2, Memory: "1G", Timeout: 90 * time.Second, ICount: "shift=0"}
	if got != want {
		t.Errorf("parsed %+v, want %+v", got, want)
	}
}

func TestParseMatrixErrors(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"unknown field", "[target.a]\npackage = \"p\"\narch = \"amd64\"\nsmpp = 2\n", `m.toml: target "a": invalid kernel matrix: unknown field "smpp"`},
		{"unknown key", "[targets.a]\nhost = true\n", `m.toml: invalid kernel matrix: unknown key "targets.a"`},
		{"no source", "[target.a]\narch = \"amd64\"\n", `target "a": invalid kernel matrix: needs exactly one of host = true, package, image or build`},
		{"two sources", "[target.a]\npackage = \"p\"\nimage = \"i\"\narch = \"amd64\"\n", "needs exactly one of"},
		{"bad arch", "[target.a]\npackage = \"p\"\narch = \"riscv64\"\n", `field "arch" is "riscv64", want one of amd64, arm64`},
		{"no arch", "[target.a]\nimage = \"i\"\n", `field "arch" is ""`},
		{"host with arch", "[target.h]\nhost = true\narch = \"amd64\"\n", "the host target takes no other field"},
		{"modules for package", "[target.a]\npackage = \"p\"\narch = \"amd64\"\nmodules = \"m\"\n", `field "modules" is for local images only`},
		{"bad smp", "[target.a]\npackage = \"p\"\narch = \"amd64\"\nsmp = 0\n", `field "smp" is 0`},
		{"bad memory", "[target.a]\npackage = \"p\"\narch = \"amd64\"\nmemory = \"lots\"\n", `field "memory" is "lots"`},
		{"bad timeout", "[target.a]\npackage = \"p\"\narch = \"amd64\"\ntimeout = \"soon\"\n", `field "timeout" is "soon"`},
		{"bad icount", "[target.a]\npackage = \"p\"\narch = \"arm64\"\nicount = 11\n", `field "icount" is 11`},
		{"host with icount", "[target.h]\nhost = true\nicount = 0\n", "the host target takes no other field"},
		{"unknown build", "[target.a]\nbuild = \"huge\"\narch = \"amd64\"\n", `field "build": unknown kernel build "huge" (known: nobtf)`},
		{"build for arm64", "[target.a]\nbuild = \"nobtf\"\narch = \"arm64\"\n", `kernel builds are amd64 only`},
		{"modules for build", "[target.a]\nbuild = \"nobtf\"\narch = \"amd64\"\nmodules = \"m\"\n", `field "modules" is for local images only`},
		{"btf_min without btf", "[target.a]\npackage = \"p\"\narch = \"amd64\"\nbtf_min = true\n", `field "btf_min" needs a btf file or a kernel build`},
		{"hide_btf with btf", "[target.a]\npackage = \"p\"\narch = \"amd64\"\nhide_btf = true\nbtf = \"f\"\n", `field "hide_btf" is for Debian packages`},
		{"hide_btf for a build", "[target.a]\nbuild = \"nobtf\"\narch = \"amd64\"\nhide_btf = true\n", `field "hide_btf" is for Debian packages`},
		{"host with btf_min", "[target.h]\nhost = true\nbtf_min = true\n", "the host target takes no other field"},
		{"wrong type", "[target.a]\npackage = 3\narch = \"amd64\"\n", "m.toml: invalid kernel matrix"},
		{"syntax", "[target.a\n", "m.toml: invalid kernel matrix"},
	} {
		_, err := ParseMatrix("m.toml", []byte(c.data))
		if !errors.Is(err, ErrInvalidMatrix) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want ErrInvalidMatrix containing %q", c.name, err, c.want)
		}
	}
}

func TestLoadMatrix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "matrix.toml")
	if err := os.WriteFile(path, []byte("[target.h]\nhost = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := LoadMatrix(path)
	if err != nil || m.File != path || len(m.Targets) != 1 || !m.Targets[0].Host() {
		t.Fatalf("LoadMatrix = %+v, %v", m, err)
	}
	if _, err := LoadMatrix(path + ".missing"); !errors.Is(err, ErrInvalidMatrix) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}
