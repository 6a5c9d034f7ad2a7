//go:build ignore

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ebpf/tracepoint: classic tracepoints (BPF_PROG_TYPE_TRACEPOINT, attached
 * through perf_event_open of the tracepoint id, since kernel 4.7). One
 * program per event; the context (the tracepoint's raw record) is not read. */
#include "observe.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp_getppid(void *ctx) { return observe(TB_GETPPID); }

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(void *ctx) { return observe(TB_OPENAT); }

SEC("tracepoint/sched/sched_process_exec")
int tp_exec(void *ctx) { return observe(TB_EXEC); }

SEC("tracepoint/syscalls/sys_enter_connect")
int tp_connect(void *ctx) { return observe(TB_CONNECT); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
