//go:build ignore

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ebpf/rawtp: raw tracepoints (BPF_PROG_TYPE_RAW_TRACEPOINT, kernel 4.17+):
 * the tracepoint's arguments without the perf record built for classic
 * tracepoints. There is no raw tracepoint per syscall: the sys_enter hook
 * runs on every syscall of every process and filters by syscall id, which
 * is exactly the collateral cost this backend exists to show. */
#include "observe.h"

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

/* sys_enter(struct pt_regs *regs, long id) */
SEC("raw_tracepoint/sys_enter")
int rawtp_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{ return observe_syscall(ctx->args[1]); }

SEC("raw_tracepoint/sched_process_exec")
int rawtp_exec(struct bpf_raw_tracepoint_args *ctx) { return observe(TB_EXEC); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
