package vmtests

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/vmtests/kmod"
	"github.com/tracebench/tracebench/vmtests/vmlinux"
)

// wantModules are the modules each default kernel needs for the results
// port, roots last: Debian builds virtio-pci and virtio-console in from 6.12 on, and
// builds virtio and virtio_ring in on arm64 6.1.
var wantModules = map[string][]string{
	"debian:5.10/amd64": {"virtio", "virtio_ring", "virtio_pci", "virtio_console"},
	"debian:6.1/amd64":  {"virtio", "virtio_ring", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci", "virtio_console"},
	"debian:6.1/arm64":  {"virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci", "virtio_console"},
	"debian:6.12/amd64": nil,
	"debian:6.12/arm64": nil,
}

func moduleNames(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, kmod.Name(p))
	}
	return out
}

// TestFetch checks every default kernel: the resolved build, the image, the
// ELF vmlinux on amd64, the module set and its order on Debian's real module
// trees, and that fetching again downloads nothing.
func TestFetch(t *testing.T) {
	kernels := defaultKernels(t)
	c, err := OpenCache("")
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range kernels {
		t.Run(name, func(t *testing.T) {
			tg, _ := DefaultMatrix().Lookup(name)
			series := strings.TrimPrefix(strings.Split(name, "/")[0], "debian:")
			if k.Target != name || k.Arch != tg.Arch || !strings.HasPrefix(k.Release, series+".") ||
				!strings.HasPrefix(k.Version, series+".") || !strings.HasSuffix(k.Release, "-"+tg.Arch) || k.Suite == "" {
				t.Errorf("kernel %+v", k)
			}
			if k.Config == "" || !fileContains(t, k.Config, "CONFIG_DEBUG_INFO_BTF=y") {
				t.Errorf("config %s lacks CONFIG_DEBUG_INFO_BTF=y", k.Config)
			}
			checkBootImage(t, k)
			// The set is fixed; the order is checked against .modinfo below.
			got, want := moduleNames(k.Modules), slices.Clone(wantModules[name])
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("modules %q, want %q in some dependency order", moduleNames(k.Modules), wantModules[name])
			}
			checkModuleOrder(t, k)
			if share := moduleNames(k.ShareModules); !slices.Contains(share, "9p") || !slices.Contains(share, "9pnet_virtio") {
				t.Errorf("share modules %q lack 9p or 9pnet_virtio (every default kernel has them as modules)", share)
			}

			again, err := c.Fetch(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			if again.Downloaded || again.Dir != k.Dir || again.Version != k.Version {
				t.Errorf("second fetch: downloaded %v, dir %s (first %s)", again.Downloaded, again.Dir, k.Dir)
			}
		})
	}
	if debs, _ := filepath.Glob(filepath.Join(c.Dir, "apt", "debs", "*.deb")); len(debs) != 0 {
		t.Errorf(".deb files left after extraction: %q", debs)
	}
}

func checkBootImage(t *testing.T, k Kernel) {
	t.Helper()
	img, err := os.ReadFile(k.Image)
	if err != nil {
		t.Fatal(err)
	}
	switch k.Arch {
	case "amd64":
		r, err := vmlinux.Release(img)
		if err != nil || r != k.Release {
			t.Errorf("bzImage release %q, %v; want %q", r, err, k.Release)
		}
		f, err := elf.Open(k.VMLinux)
		if err != nil {
			t.Fatalf("vmlinux: %v", err)
		}
		defer f.Close()
		if f.Machine != elf.EM_X86_64 || f.Section(".BTF") == nil {
			t.Errorf("vmlinux: machine %v, .BTF section %v", f.Machine, f.Section(".BTF") != nil)
		}
	case "arm64":
		if k.VMLinux != "" || string(img[0x38:0x3c]) != "ARM\x64" {
			t.Errorf("arm64 image: vmlinux %q, magic %q", k.VMLinux, img[0x38:0x3c])
		}
		if r := bannerRelease(img); r != k.Release {
			t.Errorf("arm64 image banner release %q, want %q", r, k.Release)
		}
	}
}

// checkModuleOrder checks every dependency of every module comes earlier in
// k.Modules, then k.ShareModules, or is built in (modules.builtin of the
// same package).
func checkModuleOrder(t *testing.T, k Kernel) {
	t.Helper()
	builtin := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(k.Dir, "modules", "modules.builtin")); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			builtin[kmod.Name(sc.Text())] = true
		}
	} else if len(k.Modules) > 0 {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range append(slices.Clone(k.Modules), k.ShareModules...) {
		b, err := kmod.Read(m)
		if err != nil {
			t.Fatal(err)
		}
		info, err := kmod.ReadInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		if info.Name != "" && info.Name != kmod.Name(m) {
			t.Errorf("%s: .modinfo name %q", m, info.Name)
		}
		for _, d := range info.Depends {
			if !seen[d] && !builtin[d] {
				t.Errorf("%s depends on %s, which is neither loaded before it nor built in", kmod.Name(m), d)
			}
		}
		seen[kmod.Name(m)] = true
	}
}

func fileContains(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	return err == nil && bytes.Contains(b, []byte("\n"+s+"\n"))
}

// localTree lays k's modules out as a lib/modules/RELEASE tree.
func localTree(t *testing.T, k Kernel) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lib", "modules", k.Release)
	if err := os.MkdirAll(filepath.Join(dir, "kernel", "drivers"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range append([]string{filepath.Join(k.Dir, "modules", "modules.builtin")}, k.Modules...) {
		sub := "kernel/drivers"
		if strings.HasSuffix(m, "modules.builtin") {
			sub = ""
		}
		if err := copyFile(m, filepath.Join(dir, sub, filepath.Base(m))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestFetchLocalImage fetches a Debian kernel's files as a local image with
// a module tree: same release, same boot image, same modules in order.
func TestFetchLocalImage(t *testing.T) {
	k := defaultKernels(t)["debian:6.1/amd64"]
	c := &Cache{Dir: t.TempDir()}
	tg := Target{Name: "local", Arch: "amd64", Source: LocalImage{Image: k.Image, Modules: localTree(t, k)}}
	got, err := c.Fetch(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if got.Release != k.Release || got.Downloaded || !slices.Equal(moduleNames(got.Modules), moduleNames(k.Modules)) {
		t.Errorf("local kernel %+v, from %+v", got, k)
	}
	a, _ := os.ReadFile(got.VMLinux)
	b, _ := os.ReadFile(k.VMLinux)
	if !bytes.Equal(a, b) {
		t.Error("local vmlinux differs from the Debian one")
	}
	// An ELF vmlinux is booted as it is.
	tg.Source = LocalImage{Image: k.VMLinux}
	elfKernel, err := c.Fetch(context.Background(), tg)
	if err != nil || elfKernel.Release != k.Release || elfKernel.VMLinux != elfKernel.Image || len(elfKernel.Modules) != 0 {
		t.Errorf("ELF vmlinux as local image: %+v, %v", elfKernel, err)
	}
}

// TestFetchBadImages feeds unusable images: each error is ErrBadImage and
// names the file.
func TestFetchBadImages(t *testing.T) {
	k := defaultKernels(t)["debian:6.1/amd64"]
	dir := t.TempDir()
	bz, err := os.ReadFile(k.Image)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(bz)
	p, _ := vmlinux.Payload(corrupt)
	for i := len(p) / 3; i < len(p)/3+4096; i++ {
		p[i] = 0
	}
	files := map[string][]byte{
		"garbage":   []byte(strings.Repeat("not a kernel ", 100)),
		"truncated": bz[:len(bz)/2],
		"corrupt":   corrupt,
	}
	c := &Cache{Dir: t.TempDir()}
	for name, data := range files {
		path := filepath.Join(dir, name)
		os.WriteFile(path, data, 0o644)
		_, err := c.Fetch(context.Background(), Target{Name: name, Arch: "amd64", Source: LocalImage{Image: path}})
		if !errors.Is(err, ErrBadImage) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s image: got %v, want ErrBadImage naming the file", name, err)
		}
	}
	missing := filepath.Join(dir, "missing")
	_, err = c.Fetch(context.Background(), Target{Name: "m", Arch: "amd64", Source: LocalImage{Image: missing}})
	if !errors.Is(err, ErrBadImage) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing image: got %v", err)
	}
	// An amd64 image declared arm64.
	_, err = c.Fetch(context.Background(), Target{Name: "x", Arch: "arm64", Source: LocalImage{Image: k.Image}})
	if !errors.Is(err, ErrBadImage) {
		t.Errorf("bzImage as arm64: got %v, want ErrBadImage", err)
	}
	if _, err := c.Fetch(context.Background(), Target{Name: "host"}); !errors.Is(err, ErrHostTarget) {
		t.Errorf("host target: got %v, want ErrHostTarget", err)
	}
}
