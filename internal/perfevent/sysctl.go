package perfevent

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// The sysctls that govern perf_event_open. They exist whenever the kernel has
// CONFIG_PERF_EVENTS.
const (
	paranoidPath      = "/proc/sys/kernel/perf_event_paranoid"
	maxSampleRatePath = "/proc/sys/kernel/perf_event_max_sample_rate"
)

// Paranoid returns kernel.perf_event_paranoid: -1 allows everything to every
// user, 0 forbids raw tracepoint access without CAP_PERFMON, 1 also CPU-wide
// events, 2 also kernel profiling; Debian's kernels add 3, which forbids
// perf_event_open altogether to unprivileged users. Root (CAP_PERFMON, 5.8+,
// or CAP_SYS_ADMIN) is not bound by it.
func Paranoid() (int, error) {
	return readSysctlInt(paranoidPath)
}

// MaxSampleRate returns kernel.perf_event_max_sample_rate, the highest
// sampling frequency perf_event_open accepts (EINVAL above it). The kernel
// lowers it by itself when sampling interrupts take too long
// (perf_cpu_time_max_percent) and throttles events that exceed it, which
// shows as PERF_RECORD_THROTTLE records.
func MaxSampleRate() (int, error) {
	return readSysctlInt(maxSampleRatePath)
}

func readSysctlInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, &Error{Op: "read " + path, Class: ErrMissingConfig, Detail: "CONFIG_PERF_EVENTS", Err: err}
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("parse %s: %w", path, err)
	}
	return v, nil
}
