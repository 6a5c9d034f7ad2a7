//go:build ignore

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ebpf/tp_btf: BTF-typed raw tracepoints (BPF_PROG_TYPE_TRACING with
 * BPF_TRACE_RAW_TP, kernel 5.5+): the same hooks as raw tracepoints, with
 * arguments typed by the kernel's BTF, so the kernel needs BTF. */
#include "observe.h"

/* sys_enter(struct pt_regs *regs, long id): ctx holds the arguments as u64. */
SEC("tp_btf/sys_enter")
int tpbtf_sys_enter(__u64 *ctx)
{ return observe_syscall(ctx[1]); }

SEC("tp_btf/sched_process_exec")
int tpbtf_exec(__u64 *ctx) { return observe(TB_EXEC); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
