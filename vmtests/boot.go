package vmtests

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tracebench/tracebench/vmtests/guest"
	"github.com/tracebench/tracebench/vmtests/initramfs"
	"github.com/tracebench/tracebench/vmtests/qemu"
)

// DefaultTimeout bounds a boot when neither the options nor the target do.
const DefaultTimeout = 5 * time.Minute

// Classes of guest failures beyond qemu's (qemu.ErrPanic, qemu.ErrTimeout,
// qemu.ErrFailed, qemu.ErrMissing); all come as *qemu.Error with the console.
var (
	// ErrNoInit: the kernel stopped without ever running /init.
	ErrNoInit = errors.New("guest never reached /init")
	// ErrNoExitStatus: /init started but the guest stopped without
	// reporting an exit status.
	ErrNoExitStatus = errors.New("guest stopped without reporting an exit status")
)

// BootOptions say what a guest runs.
type BootOptions struct {
	// Init is the path of a static binary to be /init (the tracebench
	// binary, built with CGO_ENABLED=0).
	Init string
	// Args is the command line /init runs, e.g. ["vm", "selftest"].
	Args []string
	// Files are extra initramfs files by absolute path (mode 0644).
	Files map[string][]byte
	// Executables are extra initramfs programs and shared libraries by
	// absolute path (mode 0755), e.g. a tool a backend runs in the guest.
	Executables map[string][]byte
	// Shares are host directories the guest mounts read-only (9p) before
	// its command runs.
	Shares []Share
	// Cmdline is appended to the kernel command line.
	Cmdline string
	// Timeout bounds the whole boot; 0 means DefaultTimeout.
	Timeout time.Duration
	// LogDir receives the console log; "" means a new temporary directory.
	LogDir string
	Memory string // qemu syntax, "" means 512M
	CPUs   int    // 0 means 1
	ICount string // qemu -icount setting under TCG, e.g. "shift=0"
}

// Share is a host directory (Path) that the guest mounts read-only at
// Mount.
type Share struct {
	Tag   string // 9p mount tag: short, no spaces
	Path  string
	Mount string
}

// check says what is wrong with s, if anything.
func (s Share) check() error {
	switch {
	case s.Tag == "" || strings.ContainsAny(s.Tag, " \n,") || len(s.Tag) > 31:
		return fmt.Errorf("share %q: the tag must be 1–31 characters without spaces or commas", s.Tag)
	case !filepath.IsAbs(s.Mount) || strings.ContainsAny(s.Mount, " \n"):
		return fmt.Errorf("share %s: mount point %q must be an absolute path without spaces", s.Tag, s.Mount)
	}
	if st, err := os.Stat(s.Path); err != nil || !st.IsDir() {
		return fmt.Errorf("share %s: %s is not a directory", s.Tag, s.Path)
	}
	return nil
}

// BootResult is what came back from a guest.
type BootResult struct {
	// Output is what the guest wrote to the results port, frames removed.
	Output []byte
	// ExitCode is the status the guest's command reported.
	ExitCode   int
	ConsoleLog string
	// ConsoleTail is the end of the console, for diagnosis.
	ConsoleTail []string
	// Emulated is true under TCG: absolute times mean nothing.
	Emulated bool
	Elapsed  time.Duration
}

// Boot boots k with an initramfs whose /init is opts.Init running opts.Args,
// and returns what the guest reported. A command that fails is not an error:
// its status is in ExitCode. A guest that panics, hangs past the timeout,
// never reaches /init or stops without a status gives a *qemu.Error (test
// its class with errors.Is; a panic or timeout before /init ran is also
// ErrNoInit) and the BootResult gathered so far.
func Boot(ctx context.Context, k Kernel, opts BootOptions) (BootResult, error) {
	if k.BootImage() == "" {
		return BootResult{}, fmt.Errorf("boot %s: %w", k.Target, ErrHostTarget)
	}
	work, err := os.MkdirTemp("", "tracebench-boot-")
	if err != nil {
		return BootResult{}, err
	}
	defer os.RemoveAll(work)
	logDir := opts.LogDir
	if logDir == "" {
		if logDir, err = os.MkdirTemp("", "tracebench-console-"); err != nil {
			return BootResult{}, err
		}
	} else if err := os.MkdirAll(logDir, 0o755); err != nil {
		return BootResult{}, err
	}
	res := BootResult{ConsoleLog: filepath.Join(logDir, logName(k.Target)+".console.log")}

	initrd := filepath.Join(work, "initramfs.cpio")
	if err := writeInitramfs(initrd, k, opts); err != nil {
		return res, fmt.Errorf("boot %s: initramfs: %w", k.Target, err)
	}
	port := filepath.Join(work, "results")
	if err := os.WriteFile(port, nil, 0o600); err != nil {
		return res, err
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	var shares []qemu.Share
	for _, s := range opts.Shares {
		shares = append(shares, qemu.Share{Tag: s.Tag, Path: s.Path})
	}
	run, err := qemu.Run(ctx, qemu.Machine{
		Arch: k.Arch, Kernel: k.BootImage(), Initrd: initrd, Cmdline: opts.Cmdline,
		Memory: opts.Memory, CPUs: opts.CPUs, ICount: opts.ICount, ConsoleLog: res.ConsoleLog,
		Ports: []qemu.Port{{Name: guest.PortName, Path: port}}, Shares: shares, Timeout: timeout,
	})
	res.ConsoleTail, res.Emulated, res.Elapsed = run.ConsoleTail, run.Emulated, run.Elapsed
	raw, rerr := os.ReadFile(port)
	t, derr := guest.Decode(raw)
	res.Output = t.Output
	switch {
	case err != nil && !t.Started && errors.As(err, new(*qemu.Error)):
		// Both classes hold: e.g. a panic before /init ran.
		return res, fmt.Errorf("boot %s: %w: %w", k.Target, ErrNoInit, err)
	case err != nil:
		return res, fmt.Errorf("boot %s: %w", k.Target, err)
	case rerr != nil || derr != nil:
		return res, fmt.Errorf("boot %s: results port: %w", k.Target, errors.Join(rerr, derr))
	case !t.Started:
		return res, fmt.Errorf("boot %s: %w", k.Target, &qemu.Error{Kind: ErrNoInit, ConsoleLog: res.ConsoleLog, ConsoleTail: res.ConsoleTail})
	case !t.Exited:
		return res, fmt.Errorf("boot %s: %w", k.Target, &qemu.Error{Kind: ErrNoExitStatus, ConsoleLog: res.ConsoleLog, ConsoleTail: res.ConsoleTail})
	}
	res.ExitCode = t.Status
	return res, nil
}

// ErrBadInit is returned (wrapped) for an init binary that cannot run in
// the guest.
var ErrBadInit = errors.New("unusable init binary")

var elfMachines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// checkInit catches the commonest mistake before a boot: an init built for
// the host's architecture in a guest of another ("Failed to execute /init
// (error -8)" and a panic), or one linked dynamically (no loader in the
// initramfs).
func checkInit(b []byte, arch string) error {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: not an ELF executable: %v", ErrBadInit, err)
	}
	if f.Machine != elfMachines[arch] {
		return fmt.Errorf("%w: built for %v, the kernel is %s (build it with GOARCH=%s CGO_ENABLED=0)", ErrBadInit, f.Machine, arch, arch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%w: dynamically linked (build it with CGO_ENABLED=0)", ErrBadInit)
		}
	}
	return nil
}

// logName makes a target name usable as a file name.
func logName(target string) string {
	return strings.NewReplacer(":", "-", "/", "-", " ", "_").Replace(target)
}

// writeInitramfs writes the guest's archive to path.
func writeInitramfs(path string, k Kernel, opts BootOptions) error {
	var buf bytes.Buffer
	if err := buildInitramfs(&buf, k, opts); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o600)
}

// Directories every guest has, besides those of its files.
var guestDirs = []string{"/dev", "/proc", "/sys", "/tmp", "/run", "/bin"}

// buildInitramfs lays out /init, the console node, the mount points, the
// modules under /lib/modules with their load order in guest.ModulesFile
// (with 9p's if the guest has shares, listed in guest.SharesFile),
// the command line in guest.ArgsFile, and the caller's files.
func buildInitramfs(w *bytes.Buffer, k Kernel, opts BootOptions) error {
	init, err := os.ReadFile(opts.Init)
	if err != nil {
		return fmt.Errorf("init binary: %w", err)
	}
	if err := checkInit(init, k.Arch); err != nil {
		return fmt.Errorf("init binary %s: %w", opts.Init, err)
	}
	a := initramfs.NewWriter(w)
	for _, d := range guestDirs {
		if err := a.Dir(d, 0o755); err != nil {
			return err
		}
	}
	if err := a.CharDev("/dev/console", 0o600, 5, 1); err != nil {
		return err
	}
	if err := a.File("/init", init, 0o755); err != nil {
		return err
	}
	modules := k.Modules
	if len(opts.Shares) > 0 {
		if !k.CanShare() {
			return fmt.Errorf("shares: Linux %s has no 9p over virtio, as module or built in (CONFIG_9P_FS, CONFIG_NET_9P_VIRTIO)", k.Release)
		}
		modules = append(slices.Clone(modules), k.ShareModules...)
		var lines strings.Builder
		for _, s := range opts.Shares {
			if err := s.check(); err != nil {
				return err
			}
			fmt.Fprintf(&lines, "%s %s\n", s.Tag, s.Mount)
		}
		if err := a.File(guest.SharesFile, []byte(lines.String()), 0o644); err != nil {
			return err
		}
	}
	var order strings.Builder
	for _, m := range modules {
		b, err := os.ReadFile(m)
		if err != nil {
			return fmt.Errorf("module: %w", err)
		}
		name := "/lib/modules/" + filepath.Base(m)
		if err := a.File(name, b, 0o644); err != nil {
			return err
		}
		order.WriteString(name + "\n")
	}
	if err := a.File(guest.ModulesFile, []byte(order.String()), 0o644); err != nil {
		return err
	}
	args, err := json.Marshal(append([]string{}, opts.Args...))
	if err != nil {
		return err
	}
	if err := a.File(guest.ArgsFile, args, 0o644); err != nil {
		return err
	}
	for _, name := range sortedKeys(opts.Files) {
		if err := a.File(name, opts.Files[name], 0o644); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(opts.Executables) {
		if err := a.File(name, opts.Executables[name], 0o755); err != nil {
			return err
		}
	}
	return a.Close()
}

// sortedKeys returns m's keys in order, for a reproducible archive.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// CheckInit reports whether the file at path can be /init of a guest of
// arch: a static executable for that architecture.
func CheckInit(path, arch string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadInit, err)
	}
	return checkInit(b, arch)
}
