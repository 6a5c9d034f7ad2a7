//go:build ignore

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ebpf/perf_event: programs of type BPF_PROG_TYPE_PERF_EVENT (kernel 4.9+),
 * which the kernel runs at each sample of a perf event — a counter overflow
 * of a hardware event such as cycles: eBPF's way to the PMU. One program per
 * event, which only names what the workload does while it is sampled. They
 * return 0, so the kernel writes nothing to the event's own ring buffer. */
#include "observe.h"

SEC("perf_event")
int pe_getppid(void *ctx) { return observe(TB_GETPPID); }

SEC("perf_event")
int pe_openat(void *ctx) { return observe(TB_OPENAT); }

SEC("perf_event")
int pe_exec(void *ctx) { return observe(TB_EXEC); }

SEC("perf_event")
int pe_connect(void *ctx) { return observe(TB_CONNECT); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
