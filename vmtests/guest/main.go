package guest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/internal/cgroup"
)

// Session is a guest run: the command line it was booted for and the port
// its results go to.
type Session struct {
	// Args is the command line from ArgsFile, without the program name.
	Args []string
	// Modules lists the module files loaded at setup, in order.
	Modules []string
	port    *os.File
}

// Results returns a writer on the results port; each Write is one frame, so
// the host gets exactly the bytes written.
func (s *Session) Results() io.Writer { return frameWriter{s.port} }

// statusSetupFailed is reported when the guest could not be set up.
const statusSetupFailed = 125

// Main sets the guest up, runs run and powers the machine off with run's
// status reported to the host; it never returns. Call it only as PID 1.
// Setup failures are printed on the console and, if the port is open,
// reported as status 125.
func Main(run func(s *Session) int) {
	s, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracebench guest:", err)
		if s != nil && s.port != nil {
			s.finish(statusSetupFailed)
		}
		powerOff()
	}
	s.finish(runSafely(s, run))
	powerOff()
}

func setup() (*Session, error) {
	os.Setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin")
	os.Setenv("HOME", "/tmp")
	if err := mountAll(); err != nil {
		return nil, err
	}
	// Give child cgroups their perf_event state, as systemd's first write
	// of subtree_control does on a host (perf backends count cgroups).
	if err := cgroup.ActivateImplicit(cgroup2Mount); err != nil {
		return nil, err
	}
	s := &Session{}
	var err error
	if s.Modules, err = loadModules(); err != nil {
		return nil, err
	}
	if err := mountShares(); err != nil {
		return nil, err
	}
	if s.port, err = openPort(PortName); err != nil {
		return nil, err
	}
	if err := writeFrame(s.port, frameStart, nil); err != nil {
		return nil, fmt.Errorf("results port: %w", err)
	}
	if err := loopbackUp(); err != nil {
		return s, err
	}
	b, err := os.ReadFile(ArgsFile)
	if err != nil {
		return s, fmt.Errorf("guest command line: %w", err)
	}
	if err := json.Unmarshal(b, &s.Args); err != nil {
		return s, fmt.Errorf("guest command line %s: %w", ArgsFile, err)
	}
	return s, nil
}

// runSafely turns a panic of run into status 2, as the Go runtime would.
func runSafely(s *Session, run func(*Session) int) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "tracebench guest: panic: %v\n%s", r, debug.Stack())
			status = 2
		}
	}()
	return run(s)
}

func (s *Session) finish(status int) {
	if err := writeFrame(s.port, frameExit, binary.LittleEndian.AppendUint32(nil, uint32(int32(status)))); err != nil {
		fmt.Fprintln(os.Stderr, "tracebench guest: report exit status:", err)
	}
	s.port.Sync()
}

// powerOff restarts the machine, which qemu (-no-reboot) turns into its
// exit: this works with and without ACPI, where LINUX_REBOOT_CMD_POWER_OFF
// only halts a kernel built without it.
func powerOff() {
	unix.Sync()
	err := unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART)
	fmt.Fprintln(os.Stderr, "tracebench guest: reboot:", err)
	os.Exit(1) // init exiting panics the kernel, and panic=-1 ends qemu
}

type sessionKey struct{}

// NewContext returns ctx carrying s, for commands run inside the guest.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// FromContext returns the guest session in ctx, or nil outside a guest.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}
