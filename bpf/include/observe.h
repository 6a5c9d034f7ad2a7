/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * observe() is the measured path of every tracebench eBPF program: filter
 * to the workload's cgroup, then count (count mode) or emit a record to the
 * ring buffer (stream mode). Keep it minimal: its cost is what is measured.
 */
#ifndef TRACEBENCH_OBSERVE_H
#define TRACEBENCH_OBSERVE_H

#include "tracebench.h"
#include <bpf/bpf_core_read.h>

/* Set by the loader before load (constants: the verifier prunes the
 * branch of the other mode). */
volatile const __u64 filter_cgroup_id = 0;
volatile const __u32 stream_mode = 0;
/* In stream mode, wake the reader once per wakeup_batch records per CPU;
 * the reader also polls, so no record waits longer than its poll period. */
volatile const __u32 wakeup_batch = 64;
/* Bit (1 << event) set for each event the cell traces: programs that
 * observe several events (a raw sys_enter hook) ignore the others. */
volatile const __u32 enabled_events = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TB_EVENT_MAX);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");

/* Its size can be set by the loader (a power of two, at least a page);
 * 4 MiB holds ~250k records: a reader polled every 20 ms keeps up with
 * the fastest workload (getppid, ~2M/s) without loss. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} records SEC(".maps");

static __always_inline int observe(__u32 ev)
{
	if (!(enabled_events & (1 << ev)))
		return 0;
	if (bpf_get_current_cgroup_id() != filter_cgroup_id)
		return 0;
	struct counter *c = bpf_map_lookup_elem(&counters, &ev);
	if (!c)
		return 0;
	if (!stream_mode) {
		c->seen++;
		return 0;
	}
	struct record *r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	if (!r) {
		c->lost++;
		return 0;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	r->event = ev;
	r->tgid = bpf_get_current_pid_tgid() >> 32;
	r->tgid_core = BPF_CORE_READ(task, tgid);
	r->ppid_core = BPF_CORE_READ(task, real_parent, tgid);
	c->seen++;
	bpf_ringbuf_submit(r, (c->seen % wakeup_batch) ? BPF_RB_NO_WAKEUP : BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* observe_syscall is observe() for hooks on the generic syscall entry
 * (raw sys_enter), which see every syscall and pick ours by id. */
static __always_inline int observe_syscall(long id)
{
	switch (id) {
	case TB_NR_getppid:
		return observe(TB_GETPPID);
	case TB_NR_openat:
		return observe(TB_OPENAT);
	case TB_NR_connect:
		return observe(TB_CONNECT);
	}
	return 0;
}

#endif
