package perfevent

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/internal/mounts"
)

// hardwareEvents are the events perf/hpc counts.
var hardwareEvents = []Event{Instructions, Cycles, Branches, BranchMisses, CacheMisses}

// TestHardwareSupport checks that the kernel's answer for hardware counters
// agrees with the PMUs in sysfs, and that a missing PMU is classified: on
// the host every hardware event must fail with ErrNoPMU (also
// errors.ErrUnsupported, with the errno kept). With a PMU, each event must
// open or fail with ErrNoHardwareEvent.
func TestHardwareSupport(t *testing.T) {
	core, err := CorePMUs()
	if err != nil {
		t.Fatal(err)
	}
	probe := ProbeHardware()
	t.Logf("core PMUs %v; ProbeHardware: %v", core, probe)
	if errors.Is(probe, ErrPermission) {
		t.Skipf("not allowed to probe: %v", probe)
	}
	if (len(core) == 0) != (probe != nil) {
		t.Fatalf("sysfs lists core PMUs %v but ProbeHardware says %v", core, probe)
	}
	if probe == nil {
		for _, ev := range hardwareEvents {
			c, err := OpenCounter(ev, Task{ExcludeKernel: true})
			t.Logf("%s: %v", ev, err)
			if err == nil {
				c.Close()
			} else if !errors.Is(err, ErrNoHardwareEvent) || errors.Is(err, ErrNoPMU) {
				t.Errorf("OpenCounter(%s) with a PMU = %v, want nil or class ErrNoHardwareEvent", ev, err)
			}
		}
		return
	}
	for _, ev := range hardwareEvents {
		_, err := OpenCounter(ev, Task{ExcludeKernel: true})
		var e *Error
		if !errors.Is(err, ErrNoPMU) || !errors.Is(err, errors.ErrUnsupported) || !errors.As(err, &e) || e.Op != "perf_event_open" {
			t.Errorf("OpenCounter(%s) = %v, want a perf_event_open error of class ErrNoPMU", ev, err)
		}
		if !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENODEV) {
			t.Errorf("OpenCounter(%s) = %v: errno lost", ev, err)
		}
	}
}

// TestBranchStackSupport checks the branch stack probe's classes: without a
// PMU both ErrNoBranchStack and ErrNoPMU; with a PMU but no LBR/BRBE (the
// arm64 guest) ErrNoBranchStack alone. And a software event asked for a
// branch stack is refused by the kernel with EOPNOTSUPP, which must be
// classified ErrNoBranchStack too.
func TestBranchStackSupport(t *testing.T) {
	for _, f := range []BranchFilter{BranchAny, BranchCallStack, BranchAnyCall | BranchUser} {
		err := ProbeBranchStack(f)
		t.Logf("ProbeBranchStack(%s): %v", f, err)
		switch {
		case errors.Is(err, ErrPermission):
			t.Skipf("not allowed to probe: %v", err)
		case err == nil:
			continue // real LBR: nothing here has it
		case !errors.Is(err, ErrNoBranchStack) || !errors.Is(err, errors.ErrUnsupported):
			t.Errorf("ProbeBranchStack(%s) = %v, want class ErrNoBranchStack", f, err)
		case errors.Is(ProbeHardware(), ErrNoPMU) != errors.Is(err, ErrNoPMU):
			t.Errorf("ProbeBranchStack(%s) = %v; ErrNoPMU must match exactly when ProbeHardware fails with it", f, err)
		}
	}
	_, err := OpenSampler(SamplerOptions{
		Event: CPUClock, Task: Task{ExcludeKernel: true, Disabled: true},
		Period: 1_000_000, SampleType: SampleIP, Branches: BranchAny | BranchUser,
	})
	if !errors.Is(err, ErrNoBranchStack) || !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("cpu-clock sampler with a branch stack: %v, want ErrNoBranchStack from EOPNOTSUPP", err)
	}
	if err != nil && !strings.Contains(err.Error(), "user,any") {
		t.Errorf("error %q does not name the branch filter", err)
	}
}

// TestUnknownEvent checks that events the kernel does not know are
// classified, not failures of unknown kind.
func TestUnknownEvent(t *testing.T) {
	_, err := OpenCounter(Event{Name: "software-99", Type: unix.PERF_TYPE_SOFTWARE, Config: 99}, Task{ExcludeKernel: true})
	if !errors.Is(err, ErrUnknownEvent) || !errors.Is(err, unix.ENOENT) {
		t.Errorf("unknown software event: %v, want ErrUnknownEvent", err)
	}
	if _, err := TracepointAt(tracefs(t), "syscalls", "sys_enter_no_such_call"); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("unknown tracepoint: %v, want ErrUnknownEvent", err)
	}
	if _, err := TracepointAt(t.TempDir(), "syscalls", "sys_enter_getsid"); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("tracepoint under an empty directory: %v, want ErrUnknownEvent", err)
	}
}

// TestFrequencyLimit checks that a frequency above
// kernel.perf_event_max_sample_rate is refused before the kernel is asked,
// with the class the kernel's own refusal (EINVAL) gets.
func TestFrequencyLimit(t *testing.T) {
	max, err := MaxSampleRate()
	if err != nil {
		t.Fatal(err)
	}
	o := SamplerOptions{Event: CPUClock, Task: Task{ExcludeKernel: true, Disabled: true}, Frequency: uint64(max) + 1, SampleType: SampleIP}
	_, err = OpenSampler(o)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), fmt.Sprint(max)) {
		t.Errorf("OpenSampler at %d Hz: %v, want ErrInvalid naming the limit %d", o.Frequency, err, max)
	}
	attr := newAttr(o.Event, o.Task)
	attr.Sample, attr.Bits = o.Frequency, attr.Bits|unix.PerfBitFreq
	if fd, err := open(o.Event, &attr, placement{cpu: -1}, -1); !errors.Is(err, ErrInvalid) || !errors.Is(err, unix.EINVAL) {
		t.Errorf("kernel asked for %d Hz: fd %d, %v; want EINVAL classified ErrInvalid", o.Frequency, fd, err)
	}
	o.Frequency = uint64(max)
	s, err := OpenSampler(o)
	if err != nil {
		t.Fatalf("OpenSampler at the limit, %d Hz: %v", max, err)
	}
	s.Close()
	for _, bad := range []SamplerOptions{
		{Event: CPUClock, SampleType: SampleIP},
		{Event: CPUClock, Period: 1, Frequency: 1},
		{Event: CPUClock, Period: 1, RingPages: 3},
		{Event: CPUClock, Period: 1, SampleType: SampleBranchStack},
		{Event: CPUClock, Period: 1, SampleType: 1 << 5},
	} {
		if _, err := OpenSampler(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("OpenSampler(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
}

// TestPermission runs a copy of the test binary as nobody, where
// kernel.perf_event_paranoid applies: counting with kernel mode included
// (paranoid >= 2), following another user's process (always) and counting
// a cgroup (a CPU-wide event: paranoid >= 1) must be classified
// ErrPermission and name the paranoid level; so must a tracepoint whose id
// tracefs (root's alone, mode 0700) does not let nobody read.
func TestPermission(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start a child as nobody")
	}
	level, err := Paranoid()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary lives in a 0700 directory: copy it into a directory
	// of its own that nobody may enter.
	dir, err := os.MkdirTemp("", "perfevent-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyExe := filepath.Join(dir, "perfevent.test")
	if err := copyFile(exe, copyExe); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(copyExe)
	root, err := mounts.Find("cgroup2")
	if err != nil || root == "" {
		t.Skipf("no cgroup2 mount: %v", err)
	}
	cmd.Env = append(os.Environ(), childModeEnv+"=permission", fmt.Sprintf("%s=%d", childArgsEnv, os.Getpid()),
		"PERFEVENT_TEST_CGROUP="+root, "PERFEVENT_TEST_TRACEFS="+tracefs(t))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 {
		t.Fatalf("child output:\n%s", out)
	}
	for i, name := range []string{"kernel mode", "other user's process", "cgroup", "tracefs"} {
		class, msg, _ := strings.Cut(lines[i], "\t")
		t.Logf("%s: %s", name, msg)
		if i == 3 {
			if mode, err := os.Stat(tracefs(t)); err == nil && mode.Mode().Perm()&0o005 == 0 && class != "permission" {
				t.Errorf("tracepoint id in an unreadable tracefs: %s %q, want class permission", class, msg)
			}
			continue
		}
		if i == 0 && level < 2 || i == 2 && level < 1 {
			if class != "ok" {
				t.Errorf("%s at paranoid %d: %s", name, level, msg)
			}
			continue
		}
		if class != "permission" || !strings.Contains(msg, fmt.Sprintf("kernel.perf_event_paranoid=%d", level)) {
			t.Errorf("%s as nobody: %s %q, want class permission naming kernel.perf_event_paranoid=%d", name, class, msg, level)
		}
	}
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// childPermission prints, for each refused request, "permission" and the
// error if it is classified ErrPermission, else "ok" or "other".
func childPermission(otherPid int) error {
	report := func(err error) {
		class := "other"
		switch {
		case err == nil:
			class = "ok"
		case errors.Is(err, ErrPermission):
			class = "permission"
		}
		fmt.Printf("%s\t%v\n", class, err)
	}
	c, err := OpenCounter(TaskClock, Task{})
	if err == nil {
		c.Close()
	}
	report(err)
	c, err = OpenCounter(TaskClock, Task{Pid: otherPid, ExcludeKernel: true})
	if err == nil {
		c.Close()
	}
	report(err)
	c, err = OpenCounter(TaskClock, Task{Cgroup: os.Getenv("PERFEVENT_TEST_CGROUP"), ExcludeKernel: true})
	if err == nil {
		c.Close()
	}
	report(err)
	_, err = TracepointAt(os.Getenv("PERFEVENT_TEST_TRACEFS"), "syscalls", "sys_enter_getsid")
	report(err)
	return nil
}

// TestPMUs checks the sysfs listing against the ABI's fixed types.
func TestPMUs(t *testing.T) {
	pmus, err := PMUs()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]uint32{}
	for _, p := range pmus {
		types[p.Name] = p.Type
	}
	if types["software"] != unix.PERF_TYPE_SOFTWARE || types["tracepoint"] != unix.PERF_TYPE_TRACEPOINT {
		t.Errorf("PMUs = %+v; want software type %d and tracepoint type %d", pmus, unix.PERF_TYPE_SOFTWARE, unix.PERF_TYPE_TRACEPOINT)
	}
	t.Logf("PMUs: %+v", pmus)
}
