// Package vmtests is the kernel matrix: it names the kernels cells run on
// (matrix.toml), fetches and caches them (Debian packages through apt, or
// local images), and boots them in qemu with an initramfs whose /init is the
// tracebench binary itself, bringing back what the guest wrote to a
// virtio-serial port.
package vmtests

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tracebench/tracebench/vmtests/kbuild"
)

//go:embed matrix.toml
var defaultMatrix []byte

// DefaultMatrixFile is the name the embedded default matrix reports in errors.
const DefaultMatrixFile = "vmtests/matrix.toml"

// ErrUnknownTarget is returned (wrapped) for a target name not in the matrix.
var ErrUnknownTarget = errors.New("unknown target")

// ErrInvalidMatrix is returned (wrapped) for a matrix file that does not
// parse or whose targets are incomplete or contradictory.
var ErrInvalidMatrix = errors.New("invalid kernel matrix")

// Target is one place cells run: the host, or a guest kernel.
type Target struct {
	Name   string
	Source Source // nil for the host
	Arch   string // amd64 or arm64; the host's for the host
	BTF    string // external BTF for kernels without /sys/kernel/btf/vmlinux
	// BTFMin cuts the target's external BTF (BTF, or a kernel build's
	// generated BTF) to what tracebench's eBPF objects relocate against
	// (bpftool gen min_core_btf) before the guest gets it.
	BTFMin bool
	// HideBTF hides /sys/kernel/btf from the guest's user space and loads
	// eBPF through the committed minimized BTF of the kernel's release
	// (CommittedBTF): the no-BTF case on a kernel that has BTF.
	HideBTF bool
	CPUs    int    // guest CPUs; 0 means 1
	Memory  string // guest memory in qemu's syntax (512M, 1G); "" means 512M
	// Timeout bounds one boot; 0 means the caller's.
	Timeout time.Duration
	// ICount is qemu's -icount setting under software emulation, e.g.
	// "shift=0" (see qemu.Machine.ICount); "" means none.
	ICount string
}

// Host reports whether t is the running kernel rather than a guest.
func (t Target) Host() bool { return t.Source == nil }

// Matrix is a parsed matrix file, targets sorted by name.
type Matrix struct {
	File    string
	Targets []Target
}

// Lookup returns the target called name.
func (m *Matrix) Lookup(name string) (Target, error) {
	for _, t := range m.Targets {
		if t.Name == name {
			return t, nil
		}
	}
	return Target{}, fmt.Errorf("%w %q in %s (known: %s)", ErrUnknownTarget, name, m.File, strings.Join(m.Names(), ", "))
}

// Names lists the target names.
func (m *Matrix) Names() []string {
	var out []string
	for _, t := range m.Targets {
		out = append(out, t.Name)
	}
	return out
}

// DefaultMatrix returns the checked-in default matrix.
func DefaultMatrix() *Matrix {
	m, err := ParseMatrix(DefaultMatrixFile, defaultMatrix)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return m
}

// LoadMatrix reads and validates a matrix file.
func LoadMatrix(path string) (*Matrix, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMatrix, err)
	}
	return ParseMatrix(path, b)
}

// rawTarget is a target as written; pointers tell absent from zero.
type rawTarget struct {
	Host    bool   `toml:"host"`
	Package string `toml:"package"`
	Image   string `toml:"image"`
	Build   string `toml:"build"`
	Modules string `toml:"modules"`
	Arch    string `toml:"arch"`
	BTF     string `toml:"btf"`
	BTFMin  bool   `toml:"btf_min"`
	HideBTF bool   `toml:"hide_btf"`
	SMP     *int   `toml:"smp"`
	Memory  string `toml:"memory"`
	Timeout string `toml:"timeout"`
	ICount  *int   `toml:"icount"`
}

var memoryRE = regexp.MustCompile(`^[1-9][0-9]*[MG]$`)

// ParseMatrix parses matrix data read from file (named in errors). Unknown
// keys are errors naming the file, the target and the key.
func ParseMatrix(file string, data []byte) (*Matrix, error) {
	var raw struct {
		Target map[string]rawTarget `toml:"target"`
	}
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", file, ErrInvalidMatrix, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		k := keys[0]
		if len(k) == 3 && k[0] == "target" {
			return nil, fmt.Errorf("%s: target %q: %w: unknown field %q", file, k[1], ErrInvalidMatrix, k[2])
		}
		return nil, fmt.Errorf("%s: %w: unknown key %q", file, ErrInvalidMatrix, k.String())
	}
	m := &Matrix{File: file}
	for name, r := range raw.Target {
		t, err := r.target(name)
		if err != nil {
			return nil, fmt.Errorf("%s: target %q: %w: %w", file, name, ErrInvalidMatrix, err)
		}
		m.Targets = append(m.Targets, t)
	}
	sort.Slice(m.Targets, func(i, j int) bool { return m.Targets[i].Name < m.Targets[j].Name })
	return m, nil
}

func (r rawTarget) target(name string) (Target, error) {
	t := Target{Name: name, Arch: r.Arch, BTF: r.BTF, BTFMin: r.BTFMin, HideBTF: r.HideBTF, Memory: r.Memory}
	kinds := 0
	for _, set := range []bool{r.Host, r.Package != "", r.Image != "", r.Build != ""} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return t, errors.New("needs exactly one of host = true, package, image or build")
	}
	switch {
	case r.Host:
		if r.Arch != "" || r.Modules != "" || r.BTF != "" || r.BTFMin || r.HideBTF || r.SMP != nil || r.Memory != "" || r.Timeout != "" || r.ICount != nil {
			return t, errors.New("the host target takes no other field")
		}
		t.Arch = HostArch()
		return t, nil
	case r.Package != "":
		if r.Modules != "" {
			return t, errors.New("field \"modules\" is for local images only")
		}
		t.Source = DebianPackage{Pattern: r.Package}
	case r.Build != "":
		if r.Modules != "" {
			return t, errors.New("field \"modules\" is for local images only")
		}
		if _, err := kbuild.Lookup(r.Build); err != nil {
			return t, fmt.Errorf("field \"build\": %w", err)
		}
		if r.Arch != "amd64" {
			return t, fmt.Errorf("field \"arch\" is %q: kernel builds are amd64 only", r.Arch)
		}
		t.Source = KernelBuild{Name: r.Build}
	default:
		t.Source = LocalImage{Image: r.Image, Modules: r.Modules}
	}
	if r.BTFMin && r.BTF == "" && r.Build == "" {
		return t, errors.New("field \"btf_min\" needs a btf file or a kernel build (which generates one)")
	}
	if r.HideBTF && (r.BTF != "" || r.BTFMin || r.Package == "") {
		return t, errors.New("field \"hide_btf\" is for Debian packages, without btf or btf_min (it loads through the committed BTF)")
	}
	if !validArch(r.Arch) {
		return t, fmt.Errorf("field \"arch\" is %q, want one of %s", r.Arch, strings.Join(Arches, ", "))
	}
	if r.SMP != nil {
		if *r.SMP < 1 {
			return t, fmt.Errorf("field \"smp\" is %d, want at least 1", *r.SMP)
		}
		t.CPUs = *r.SMP
	}
	if r.Memory != "" && !memoryRE.MatchString(r.Memory) {
		return t, fmt.Errorf("field \"memory\" is %q, want a size like 512M or 2G", r.Memory)
	}
	if r.Timeout != "" {
		d, err := time.ParseDuration(r.Timeout)
		if err != nil || d <= 0 {
			return t, fmt.Errorf("field \"timeout\" is %q, want a duration like 90s or 5m", r.Timeout)
		}
		t.Timeout = d
	}
	if r.ICount != nil {
		// qemu accepts shifts 0 to 10 (1 ns to 1 µs per instruction).
		if *r.ICount < 0 || *r.ICount > 10 {
			return t, fmt.Errorf("field \"icount\" is %d, want a shift from 0 to 10", *r.ICount)
		}
		t.ICount = fmt.Sprintf("shift=%d", *r.ICount)
	}
	return t, nil
}
