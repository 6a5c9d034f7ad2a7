// Package ksym resolves kernel functions by name on the running kernel:
// from /proc/kallsyms (what kprobes and the function tracer can reach) and
// from the kernel's BTF (what fentry/fexit can attach to); and addresses to
// functions (Table), to read branch records. Function names
// move between kernel versions (do_sys_open → do_sys_openat2 in 5.6) and
// architectures (__x64_sys_* vs __arm64_sys_*), so backends keep ordered
// candidate lists and record which one the kernel had: the "dynamic probes
// are unstable" claim, made measurable.
package ksym

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"
)

// SyscallPrefix is the prefix of the syscall entry wrappers on this
// architecture since kernel 4.17 (CONFIG_ARCH_HAS_SYSCALL_WRAPPER).
func SyscallPrefix() string { return SyscallPrefixOn(runtime.GOARCH) }

// SyscallPrefixOn is SyscallPrefix for architecture arch.
func SyscallPrefixOn(arch string) string {
	switch arch {
	case "amd64":
		return "__x64_sys_"
	case "arm64":
		return "__arm64_sys_"
	}
	return "sys_"
}

var (
	kallsymsOnce sync.Once
	kallsyms     map[string]bool
	kallsymsErr  error
)

// Text reports whether name is a text (function) symbol in /proc/kallsyms.
func Text(name string) (bool, error) {
	kallsymsOnce.Do(func() { kallsyms, kallsymsErr = readKallsyms("/proc/kallsyms") })
	if kallsymsErr != nil {
		return false, kallsymsErr
	}
	return kallsyms[name], nil
}

func readKallsyms(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		// address type name [module]
		f := strings.Fields(sc.Text())
		if len(f) < 3 || len(f) > 3 { // module symbols (4 fields) are not ours
			continue
		}
		switch f[1] {
		case "t", "T", "w", "W":
			out[f[2]] = true
		}
	}
	return out, sc.Err()
}

// ErrNoCandidate is returned when no candidate exists on this kernel.
var ErrNoCandidate = errors.New("no candidate function on this kernel")

// FirstText returns the first candidate that is a kernel text symbol.
func FirstText(cands []string) (string, error) {
	for _, c := range cands {
		ok, err := Text(c)
		if err != nil {
			return "", err
		}
		if ok {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w: none of %s in /proc/kallsyms", ErrNoCandidate, strings.Join(cands, ", "))
}

// FirstBTFFunc returns the first candidate that has a BTF FUNC entry in
// spec (the kernel's BTF, or an external file): fentry and fexit can only
// attach to those. Syscall wrappers often have none.
func FirstBTFFunc(spec *btf.Spec, cands []string) (string, error) {
	for _, c := range cands {
		var fn *btf.Func
		if err := spec.TypeByName(c, &fn); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w: none of %s has a BTF function entry", ErrNoCandidate, strings.Join(cands, ", "))
}
