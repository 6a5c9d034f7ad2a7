// Package tracefs drives the kernel's tracing filesystem for the ftrace
// backends: private trace instances, trace events and their pid filters,
// per-CPU ring buffer statistics, a reader and decoder of the raw ring buffer
// pages (trace_pipe_raw), kprobe and uprobe events, and the function tracer.
//
// Everything tracebench changes lives in a private instance
// (instances/tracebench-*) or under the tracebench probe group, so the global
// buffer, which other tools on the machine share, is only ever read. Changes
// that outlive an instance (the tracefs mount itself, an instance directory, a
// probe definition) are announced to the caller before they are made, so the
// harness can journal their undo (see Change).
//
// Failures are *Error values with a Class (missing kernel config, permission,
// missing symbol, busy, bad input) and the tracefs path involved; callers
// classify them with errors.Is(err, tracefs.ClassPermission) or errors.As,
// never by their text.
//
// The formats are the kernel's: Documentation/trace/ftrace.rst, events.rst,
// kprobetrace.rst, uprobetracer.rst and ring_buffer_design.rst, and the layout
// the running kernel publishes in events/header_page and events/header_event.
// Pages and records are decoded little-endian, the byte order of the
// architectures tracebench targets (amd64, arm64).
package tracefs
