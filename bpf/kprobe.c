//go:build ignore

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ebpf/kprobe, ebpf/kretprobe, ebpf/kprobe_multi: dynamic probes on kernel
 * functions (BPF_PROG_TYPE_KPROBE). The function is chosen per kernel and
 * architecture at attach time (see backends/ebpf/kprobe), so the sections
 * name no symbol. kprobe and kretprobe share the programs; kprobe_multi
 * (kernel 5.18+) needs its own attach type. */
#include "observe.h"

SEC("kprobe")
int kprobe_getppid(void *ctx) { return observe(TB_GETPPID); }

SEC("kprobe")
int kprobe_openat(void *ctx) { return observe(TB_OPENAT); }

SEC("kprobe")
int kprobe_exec(void *ctx) { return observe(TB_EXEC); }

SEC("kprobe")
int kprobe_connect(void *ctx) { return observe(TB_CONNECT); }

SEC("kprobe.multi")
int kmulti_getppid(void *ctx) { return observe(TB_GETPPID); }

SEC("kprobe.multi")
int kmulti_openat(void *ctx) { return observe(TB_OPENAT); }

SEC("kprobe.multi")
int kmulti_exec(void *ctx) { return observe(TB_EXEC); }

SEC("kprobe.multi")
int kmulti_connect(void *ctx) { return observe(TB_CONNECT); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
