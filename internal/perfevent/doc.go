// Package perfevent is tracebench's kernel-facing layer for perf_event_open(2):
// it discovers what the kernel and the CPU offer (a hardware PMU, a branch
// stack, the perf_event_paranoid level), opens counting and sampling events on
// a workload's processes (a task and what it starts, or a whole cgroup), reads
// the mmap'd ring buffer, and decodes its records,
// branch stacks (Intel LBR, Arm BRBE) included.
//
// The perf/hpc and perf/lbr backends are built on it. Everything the kernel
// refuses comes back as an [*Error] whose class ([ErrNoPMU],
// [ErrNoHardwareEvent], [ErrNoBranchStack], [ErrPermission], [ErrMissingConfig], [ErrUnknownEvent],
// [ErrInvalid]) a caller tests with errors.Is; the unsupported classes also
// match errors.ErrUnsupported.
//
// Record layouts follow include/uapi/linux/perf_event.h. Only little-endian
// machines (amd64, arm64) are supported: the branch entry flags are a C
// bitfield whose bit order depends on the byte order.
package perfevent
