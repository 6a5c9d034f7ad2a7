// Package kbuild builds guest kernels for the matrix from Debian's kernel
// source package (linux-source-6.1) with a checked-in configuration
// fragment, and caches what a guest needs: the image, a debug-stripped
// vmlinux, the BTF generated from the DWARF, and the .config. It exists for
// kernels no distribution ships, above all one without BTF
// (CONFIG_DEBUG_INFO_BTF off), whose types must come from outside.
package kbuild

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"
)

//go:embed nobtf.config
var nobtfFragment []byte

// Spec is one kernel build: its source package and its configuration.
type Spec struct {
	Name string
	// Package is Debian's kernel source package (a tarball under
	// /usr/src), e.g. linux-source-6.1.
	Package string
	// Fragment is applied on top of `make tinyconfig`.
	Fragment []byte
	// Required are options that must be =y in the final .config, and
	// Forbidden options that must be unset: what the guest and the
	// point of the build depend on.
	Required, Forbidden []string
}

// ErrBadConfig is returned (wrapped) for a fragment or a resulting
// .config without an option the guest needs, or with one it must not have.
var ErrBadConfig = errors.New("kernel configuration unusable for the guest")

// ErrUnknownBuild is returned (wrapped) for a build name with no spec.
var ErrUnknownBuild = errors.New("unknown kernel build")

// Lookup returns the spec of a named build.
func Lookup(name string) (Spec, error) {
	switch name {
	case "nobtf":
		return NoBTF(), nil
	}
	return Spec{}, fmt.Errorf("%w %q (known: nobtf)", ErrUnknownBuild, name)
}

// NoBTF is a small x86_64 6.1 kernel with DWARF and without BTF.
func NoBTF() Spec {
	return Spec{
		Name:     "nobtf",
		Package:  "linux-source-6.1",
		Fragment: nobtfFragment,
		Required: []string{
			"64BIT", "PVH", "EPOLL", "EVENTFD", "MODULES", "KPROBES", "KPROBE_EVENTS", "FTRACE", "FUNCTION_TRACER",
			"DYNAMIC_FTRACE", "FTRACE_SYSCALLS", "BPF_SYSCALL", "BPF_EVENTS", "PERF_EVENTS", "TRACEPOINTS",
			"CGROUPS", "CGROUP_BPF", "VIRTIO_PCI", "VIRTIO_CONSOLE", "BLK_DEV_INITRD", "DEVTMPFS",
			"AUDIT", "DEBUG_INFO",
		},
		Forbidden: []string{"DEBUG_INFO_BTF", "DEBUG_INFO_REDUCED", "DEBUG_INFO_SPLIT"},
	}
}

// parseConfig reads a .config or fragment into option → value ("y", "m",
// a string, or "n" for "# CONFIG_X is not set"), names without CONFIG_.
func parseConfig(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if name, ok := strings.CutPrefix(line, "# CONFIG_"); ok {
			if name, ok = strings.CutSuffix(name, " is not set"); ok {
				out[name] = "n"
			}
			continue
		}
		if name, ok := strings.CutPrefix(line, "CONFIG_"); ok {
			if k, v, ok := strings.Cut(name, "="); ok {
				out[k] = v
			}
		}
	}
	return out
}

// CheckFragment refuses a fragment that turns off a required option or
// turns on a forbidden one: the cheap check, before anything is fetched.
func (s Spec) CheckFragment() error {
	return s.check(parseConfig(s.Fragment), "the fragment", false)
}

// CheckConfig checks a resolved .config (after olddefconfig): every
// required option is =y (a dependency the fragment lacks silently drops
// an option) and no forbidden one is set.
func (s Spec) CheckConfig(config []byte) error {
	return s.check(parseConfig(config), ".config after olddefconfig", true)
}

func (s Spec) check(opts map[string]string, what string, complete bool) error {
	var bad []string
	for _, r := range s.Required {
		v, ok := opts[r]
		if ok && v != "y" || !ok && complete {
			bad = append(bad, fmt.Sprintf("CONFIG_%s=%s (need y)", r, orUnset(v)))
		}
	}
	for _, f := range s.Forbidden {
		if v := opts[f]; v != "" && v != "n" {
			bad = append(bad, fmt.Sprintf("CONFIG_%s=%s (must be off)", f, v))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("%w: build %s: %s has %s", ErrBadConfig, s.Name, what, strings.Join(bad, ", "))
	}
	return nil
}

func orUnset(v string) string {
	if v == "" || v == "n" {
		return "unset"
	}
	return v
}
