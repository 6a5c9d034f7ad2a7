//go:build ignore

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ebpf/fentry and ebpf/fexit: BPF trampolines on kernel functions
 * (BPF_PROG_TYPE_TRACING, kernel 5.5+ on x86; arm64 needs ftrace direct
 * calls, 6.4+). The target function needs a BTF FUNC entry; the sections
 * name a placeholder that the loader replaces with the function chosen for
 * the running kernel. */
#include "observe.h"

SEC("fentry/placeholder")
int fentry_getppid(void *ctx) { return observe(TB_GETPPID); }

SEC("fentry/placeholder")
int fentry_openat(void *ctx) { return observe(TB_OPENAT); }

SEC("fentry/placeholder")
int fentry_exec(void *ctx) { return observe(TB_EXEC); }

SEC("fentry/placeholder")
int fentry_connect(void *ctx) { return observe(TB_CONNECT); }

SEC("fexit/placeholder")
int fexit_getppid(void *ctx) { return observe(TB_GETPPID); }

SEC("fexit/placeholder")
int fexit_openat(void *ctx) { return observe(TB_OPENAT); }

SEC("fexit/placeholder")
int fexit_exec(void *ctx) { return observe(TB_EXEC); }

SEC("fexit/placeholder")
int fexit_connect(void *ctx) { return observe(TB_CONNECT); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
