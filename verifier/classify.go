package verifier

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"
)

// Class classifies why a kernel refused a program.
type Class string

// Classes of refusal, from the verifier's own words (its log) where it
// gave any, else from the errno of BPF_PROG_LOAD.
const (
	// MemoryAccess: an access the verifier cannot bound or prove valid
	// (unbounded or variable offset, out of range, maybe-NULL pointer).
	MemoryAccess Class = "memory-access"
	// Loop: a back-edge the verifier does not accept (before 5.3, or a
	// loop it cannot prove to end).
	Loop Class = "loop"
	// RegisterState: a register of the wrong type or state for its use
	// (uninitialized, a scalar dereferenced, forbidden pointer arithmetic).
	RegisterState Class = "register-state"
	// UnknownHelper: a helper or kfunc this kernel does not have, or does
	// not allow for the program type.
	UnknownHelper Class = "unknown-helper"
	// TooLarge: the program, its stack or its verification is too big
	// (1M processed instructions, jump sequences, stack size).
	TooLarge Class = "too-large"
	// BTF: a BTF or CO-RE relocation failure (a field or type missing from
	// the kernel, no kernel BTF, BTF the kernel rejects).
	BTF Class = "btf-core"
	// AttachTarget: the kernel function a tracing program (fentry, fexit)
	// is loaded for is not in the kernel's BTF.
	AttachTarget Class = "attach-target"
	// ProgramType: the kernel does not know the program type or attach
	// type (refused before any verification, no log).
	ProgramType Class = "program-type"
	// Permission: refused for lack of privilege (EPERM, EACCES) without a
	// verifier log: lockdown, capabilities, or a kernel that cannot
	// build a trampoline.
	Permission Class = "permission"
	// Map: a map the program uses cannot be created on this kernel.
	Map Class = "map"
	// Other: none of the above; the log lines say what.
	Other Class = "other"
)

// Classes lists every class, for documentation and reports.
var Classes = []Class{MemoryAccess, Loop, RegisterState, UnknownHelper, TooLarge, BTF, AttachTarget, ProgramType, Permission, Map, Other}

// logPatterns map verifier messages (kernel/bpf/verifier.c, 5.10 to 6.18)
// to classes, most specific first: the first class with a pattern found
// in the message wins.
var logPatterns = []struct {
	class    Class
	patterns []string
}{
	// cilium/ebpf poisons a CO-RE relocation it could not resolve with a
	// call to this function number.
	{BTF, []string{fmt.Sprintf("unknown#%d", btf.COREBadRelocationSentinel), "CO-RE", "core_relo"}},
	// A kernel before 5.13 does not see a callback passed to a helper
	// (bpf_loop, bpf_for_each_map_elem: BPF_PSEUDO_FUNC) as a function,
	// and finds one function fewer than the object's BTF describes.
	{UnknownHelper, []string{"number of funcs in func_info doesn't match number of subprogs", "unknown func", "invalid func", "program of this type cannot use helper", "helper call is not allowed",
		"cannot call GPL-restricted", "calling kernel function", "kernel function", "kfunc", "not allowed in non-JITed", "unknown helper"}},
	{Loop, []string{"back-edge", "infinite loop", "loop detected"}},
	{TooLarge, []string{"program is too large", "too complex", "too many states", "stack size", "stack depth", "jump out of range",
		"call stack of", "too many"}},
	{RegisterState, []string{"!read_ok", "invalid mem access 'scalar'", "invalid mem access 'inv'", "pointer arithmetic", "prohibited",
		"leaks addr", "frame pointer is read only", " type=", "expected=", "invalid reg", "R0 has value", "At program exit",
		"unreleased reference", "Unreleased reference", "should have been in", "invalid mem access 'ctx'"}},
	{MemoryAccess, []string{"unbounded memory access", "invalid access to", "invalid bpf_context access", "invalid stack off",
		"variable stack access", "variable ctx access", "variable-offset", "outside of the allowed memory range", "min value is negative",
		"value is outside", "out of bounds", "invalid indirect", "invalid read from stack", "invalid write to stack", "invalid zero-sized",
		"invalid mem access", "misaligned", "unbounded min value", "invalid size of register", "max value is outside", "min value is outside",
		"invalid variable", "dereference of modified"}},
	{BTF, []string{"BTF", "btf", "func_info", "line_info"}},
}

// classifyLog classifies the verifier's explanation: the last lines of
// its log before the statistics, the last line first.
func classifyLog(lines []string) (Class, bool) {
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-3; i-- {
		for _, lp := range logPatterns {
			for _, p := range lp.patterns {
				if strings.Contains(lines[i], p) {
					return lp.class, true
				}
			}
		}
	}
	return "", false
}

// classifyErr classifies a refusal from the error alone, when the kernel
// said nothing in the log.
func classifyErr(err error) Class {
	switch {
	case errors.Is(err, btf.ErrNotFound):
		return AttachTarget
	case errors.Is(err, btf.ErrNotSupported):
		return BTF
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		return Permission
	case errors.Is(err, unix.E2BIG):
		return TooLarge
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOTSUP), errors.Is(err, unix.Errno(524)):
		return ProgramType
	}
	return Other
}
