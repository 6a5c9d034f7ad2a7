package vmtests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracebench/tracebench/vmtests/guest"
	"github.com/tracebench/tracebench/vmtests/qemu"
)

const bootTimeout = 4 * time.Minute

var machines = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

// TestBootSelftest boots every default guest target, plus a local image,
// in parallel with the tracebench binary as /init running "vm selftest",
// and checks the facts the guest reports.
func TestBootSelftest(t *testing.T) {
	kernels := defaultKernels(t)
	local, err := (&Cache{Dir: t.TempDir()}).Fetch(context.Background(), Target{Name: "local:6.1/amd64", Arch: "amd64",
		Source: LocalImage{Image: kernels["debian:6.1/amd64"].Image, Modules: localTree(t, kernels["debian:6.1/amd64"])}})
	if err != nil {
		t.Fatal(err)
	}
	all := []Kernel{local}
	for _, name := range sortedKeys(kernels) {
		all = append(all, kernels[name])
	}
	pool := qemu.NewPool(0)
	logDir := t.TempDir()
	var wg sync.WaitGroup
	results := make([]string, len(all))
	for i, k := range all {
		init := initBinary(t, k.Arch)
		wg.Go(func() {
			pool.Do(context.Background(), func() error {
				res, err := Boot(context.Background(), k, BootOptions{
					Init: init, Args: []string{"vm", "selftest"}, Timeout: bootTimeout, LogDir: logDir,
				})
				results[i] = fmt.Sprintf("%-18s %-22s %6.1fs emulated=%v", k.Target, k.Release, res.Elapsed.Seconds(), res.Emulated)
				checkSelftest(t, k, res, err)
				return nil
			})
		})
	}
	wg.Wait()
	t.Logf("boot to poweroff:\n%s", strings.Join(results, "\n"))
}

func checkSelftest(t *testing.T, k Kernel, res BootResult, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", k.Target, err)
		return
	}
	var f guest.Facts
	if err := json.Unmarshal(res.Output, &f); err != nil {
		t.Errorf("%s: results %q: %v", k.Target, res.Output, err)
		return
	}
	var problems []string
	check := func(ok bool, format string, args ...any) {
		if !ok {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	check(res.ExitCode == 0, "exit status %d", res.ExitCode)
	check(f.Release == k.Release, "release %q, want %q", f.Release, k.Release)
	check(f.Machine == machines[k.Arch], "machine %q, want %q", f.Machine, machines[k.Arch])
	check(f.BTF, "no /sys/kernel/btf/vmlinux")
	check(f.LoopbackUp, "lo is down")
	for point, fstype := range map[string]string{
		"/proc": "proc", "/sys": "sysfs", "/dev": "devtmpfs", "/tmp": "tmpfs", "/run": "tmpfs",
		"/sys/kernel/tracing": "tracefs", "/sys/kernel/debug": "debugfs", "/sys/fs/cgroup": "cgroup2", "/sys/fs/bpf": "bpf",
	} {
		check(f.Mounts[point] == fstype, "%s is %q, want %s", point, f.Mounts[point], fstype)
	}
	loaded, want := slices.Clone(f.Modules), moduleNames(k.Modules)
	slices.Sort(loaded)
	slices.Sort(want)
	check(slices.Equal(loaded, want), "loaded modules %q, want %q", loaded, want)
	check(res.Emulated == qemu.Emulated(k.Arch), "emulated %v", res.Emulated)
	if len(problems) > 0 {
		t.Errorf("%s: %s", k.Target, strings.Join(problems, "; "))
	}
}

// TestBootFailures: a failing command reports its status, a kernel that
// cannot start /init panics and says so with console lines, and a hung
// kernel is killed at the deadline with no qemu left behind.
func TestBootFailures(t *testing.T) {
	kernels := defaultKernels(t)
	pool := qemu.NewPool(0)
	for _, c := range []struct {
		name, target string
		test         func(t *testing.T, k Kernel)
	}{
		{"exit status amd64", "debian:6.1/amd64", testExitStatus},
		{"exit status arm64", "debian:6.1/arm64", testExitStatus},
		{"panic", "debian:6.12/amd64", testPanic},
		{"timeout", "debian:5.10/amd64", testTimeout},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			pool.Do(context.Background(), func() error { c.test(t, kernels[c.target]); return nil })
		})
	}
}

func testExitStatus(t *testing.T, k Kernel) {
	res, err := Boot(context.Background(), k, BootOptions{
		Init: initBinary(t, k.Arch), Args: []string{"vm", "selftest", "--exit", "3"}, Timeout: bootTimeout, LogDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var f guest.Facts
	if res.ExitCode != 3 || json.Unmarshal(res.Output, &f) != nil || f.Release != k.Release {
		t.Errorf("exit status %d, output %q; want 3 and the facts", res.ExitCode, res.Output)
	}
	// An unknown command fails in the guest like on the host: status 1.
	res, err = Boot(context.Background(), k, BootOptions{
		Init: initBinary(t, k.Arch), Args: []string{"no-such-command"}, Timeout: bootTimeout, LogDir: t.TempDir(),
	})
	if err != nil || res.ExitCode != 1 || len(res.Output) != 0 {
		t.Errorf("unknown command: status %d, output %q, %v; want status 1", res.ExitCode, res.Output, err)
	}
}

func testPanic(t *testing.T, k Kernel) {
	// With no /nonexistent in the initramfs the kernel tries a root device,
	// finds none and panics ("VFS: Unable to mount root fs").
	res, err := Boot(context.Background(), k, BootOptions{
		Init: initBinary(t, k.Arch), Args: []string{"vm", "selftest"}, Cmdline: "rdinit=/nonexistent",
		Timeout: bootTimeout, LogDir: t.TempDir(),
	})
	var qerr *qemu.Error
	if !errors.Is(err, qemu.ErrPanic) || !errors.Is(err, ErrNoInit) || !errors.As(err, &qerr) {
		t.Fatalf("got %v, want a qemu.ErrPanic and ErrNoInit", err)
	}
	tail := strings.Join(qerr.ConsoleTail, "\n")
	if !strings.Contains(tail, "Kernel panic - not syncing") || !strings.Contains(err.Error(), "VFS: Unable to mount root fs") ||
		!strings.Contains(err.Error(), ErrNoInit.Error()) || !slices.Equal(res.ConsoleTail[len(res.ConsoleTail)-1:], qerr.ConsoleTail[len(qerr.ConsoleTail)-1:]) {
		t.Errorf("panic report lacks the panic, the never-reached /init, or the console tail:\n%v", err)
	}
	if _, err := os.Stat(qerr.ConsoleLog); err != nil {
		t.Errorf("console log: %v", err)
	}
}

func testTimeout(t *testing.T, k Kernel) {
	// panic=0 (after the boot's panic=-1) makes the panic wait forever.
	logDir := t.TempDir()
	_, err := Boot(context.Background(), k, BootOptions{
		Init: initBinary(t, k.Arch), Args: []string{"vm", "selftest"}, Cmdline: "rdinit=/nonexistent panic=0",
		Timeout: 20 * time.Second, LogDir: logDir,
	})
	if !errors.Is(err, qemu.ErrTimeout) || errors.Is(err, qemu.ErrPanic) {
		t.Fatalf("got %v, want qemu.ErrTimeout", err)
	}
	if pids := processesMentioning(t, logDir); len(pids) > 0 {
		t.Errorf("processes still running after the timeout: %v", pids)
	}
}

// processesMentioning lists processes whose command line contains s.
func processesMentioning(t *testing.T, s string) []string {
	t.Helper()
	cmdlines, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, f := range cmdlines {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte(s)) && filepath.Base(filepath.Dir(f)) != fmt.Sprint(os.Getpid()) {
			pids = append(pids, filepath.Base(filepath.Dir(f))+": "+string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
		}
	}
	return pids
}

// TestBootBadInput: errors before any qemu starts name what is wrong.
func TestBootBadInput(t *testing.T) {
	k := defaultKernels(t)["debian:6.1/arm64"]
	amd64, arm64 := initBinary(t, "amd64"), initBinary(t, "arm64")
	_, err := Boot(context.Background(), k, BootOptions{Init: amd64, LogDir: t.TempDir()})
	if !errors.Is(err, ErrBadInit) || !strings.Contains(err.Error(), "GOARCH=arm64") {
		t.Errorf("amd64 init in an arm64 guest: got %v, want ErrBadInit", err)
	}
	_, err = Boot(context.Background(), k, BootOptions{Init: filepath.Join(t.TempDir(), "missing"), LogDir: t.TempDir()})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "init binary") {
		t.Errorf("missing init: got %v", err)
	}
	_, err = Boot(context.Background(), Kernel{Target: "host"}, BootOptions{Init: amd64})
	if !errors.Is(err, ErrHostTarget) {
		t.Errorf("booting the host: got %v, want ErrHostTarget", err)
	}
	t.Setenv("PATH", t.TempDir())
	_, err = Boot(context.Background(), k, BootOptions{Init: arm64, LogDir: t.TempDir()})
	var missing *qemu.MissingError
	if !errors.Is(err, qemu.ErrMissing) || !errors.As(err, &missing) || missing.Package != "qemu-system-arm" {
		t.Errorf("no qemu in PATH: got %v, want a MissingError naming qemu-system-arm", err)
	}
}
