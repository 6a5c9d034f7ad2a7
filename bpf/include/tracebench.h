/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared definitions of tracebench's eBPF programs.
 *
 * No vmlinux.h: the programs declare the few kernel types they need here,
 * with preserve_access_index, so that one source compiles for amd64 and
 * arm64 and every field access is a CO-RE relocation resolved against the
 * running kernel's BTF at load time.
 */
#ifndef TRACEBENCH_H
#define TRACEBENCH_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

#include <bpf/bpf_helpers.h>

/* Event ids: the values of event.Event in Go (event/event.go). */
enum tb_event {
	TB_GETPPID = 1,
	TB_OPENAT = 2,
	TB_EXEC = 3,
	TB_CONNECT = 4,
	TB_EVENT_MAX = 8, /* size of the counters map */
};

/* Syscall numbers of the traced syscalls, per architecture (bpf2go
 * defines __TARGET_ARCH_x86 or __TARGET_ARCH_arm64 per target). */
#if defined(__TARGET_ARCH_x86)
#define TB_NR_getppid 110
#define TB_NR_openat 257
#define TB_NR_connect 42
#elif defined(__TARGET_ARCH_arm64)
#define TB_NR_getppid 173
#define TB_NR_openat 56
#define TB_NR_connect 203
#else
#error "unsupported target architecture"
#endif

/* counter is one event's tally on one CPU. In count mode seen is the
 * number of events; in stream mode it is the number of records submitted
 * (user space counts what it receives) and lost the number of records the
 * ring buffer had no room for. */
struct counter {
	__u64 seen;
	__u64 lost;
};

/* record is what stream mode sends per event. tgid comes from a helper
 * (ground truth); tgid_core and ppid_core are read from the task through
 * CO-RE relocations, so a record proves the relocations were right: with
 * the wrong kernel types (BTF of another kernel), tgid_core != tgid. */
struct record {
	__u32 event;
	__u32 tgid;
	__u32 tgid_core;
	__u32 ppid_core;
};

/* The kernel types the programs read, CO-RE style: only the fields used,
 * relocated against the running kernel's BTF at load time. */
struct task_struct {
	int tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

#endif
