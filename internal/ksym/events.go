package ksym

import (
	"runtime"

	"github.com/tracebench/tracebench/event"
)

// Functions returns, newest kernels first, the kernel functions that run
// exactly once per event on this architecture: the probe points of every
// function-based backend (kprobes, fentry, the function tracer).
//
//   - getppid: the syscall's entry wrapper (4.17+), then the old sys_ name.
//   - openat: do_sys_openat2 (5.6+), do_sys_open before.
//   - exec: bprm_execve (5.9+), then do_execveat_common, do_execve_file.
//   - connect: __sys_connect (4.17+).
func Functions(ev event.Event) []string { return FunctionsOn(runtime.GOARCH, ev) }

// FunctionsOn is Functions for a kernel of architecture arch (a Go
// architecture name), e.g. a guest's.
func FunctionsOn(arch string, ev event.Event) []string {
	p := SyscallPrefixOn(arch)
	switch ev {
	case event.Getppid:
		return []string{p + "getppid", "__do_sys_getppid", "sys_getppid"}
	case event.Openat:
		return []string{"do_sys_openat2", "do_sys_open"}
	case event.Exec:
		return []string{"bprm_execve", "do_execveat_common", "__do_execve_file"}
	case event.Connect:
		return []string{"__sys_connect", p + "connect"}
	}
	return nil
}

// FunctionsByEvent returns Functions for every event: the candidate probe
// points a function-based backend declares.
func FunctionsByEvent() map[event.Event][]string {
	out := make(map[event.Event][]string, len(event.All))
	for _, ev := range event.All {
		out[ev] = Functions(ev)
	}
	return out
}
