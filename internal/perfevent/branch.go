package perfevent

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// BranchFilter is perf_event_attr.branch_sample_type: which taken branches
// the hardware records into a sample's branch stack, in which privilege
// levels, and what it saves with each. Setting any filter on a sampler asks
// for PERF_SAMPLE_BRANCH_STACK.
type BranchFilter uint64

// Privilege levels; without one the kernel records those the event counts.
const (
	BranchUser       BranchFilter = unix.PERF_SAMPLE_BRANCH_USER
	BranchKernel     BranchFilter = unix.PERF_SAMPLE_BRANCH_KERNEL
	BranchHypervisor BranchFilter = unix.PERF_SAMPLE_BRANCH_HV
)

// Branch kinds; at least one is required.
const (
	BranchAny          BranchFilter = unix.PERF_SAMPLE_BRANCH_ANY
	BranchAnyCall      BranchFilter = unix.PERF_SAMPLE_BRANCH_ANY_CALL
	BranchAnyReturn    BranchFilter = unix.PERF_SAMPLE_BRANCH_ANY_RETURN
	BranchIndirectCall BranchFilter = unix.PERF_SAMPLE_BRANCH_IND_CALL
	BranchConditional  BranchFilter = unix.PERF_SAMPLE_BRANCH_COND
	BranchIndirectJump BranchFilter = unix.PERF_SAMPLE_BRANCH_IND_JUMP
	BranchCall         BranchFilter = unix.PERF_SAMPLE_BRANCH_CALL
	// BranchCallStack turns the LBR into a call stack: calls push, returns
	// pop (Intel Haswell+, Linux 4.1).
	BranchCallStack BranchFilter = unix.PERF_SAMPLE_BRANCH_CALL_STACK
)

// What is saved with each entry.
const (
	BranchNoFlags  BranchFilter = unix.PERF_SAMPLE_BRANCH_NO_FLAGS  // flags left zero (cheaper)
	BranchNoCycles BranchFilter = unix.PERF_SAMPLE_BRANCH_NO_CYCLES // cycles left zero
	BranchTypeSave BranchFilter = unix.PERF_SAMPLE_BRANCH_TYPE_SAVE // decode the branch type (4.14+)
	// BranchHWIndex prefixes the stack with the hardware LBR's index of its
	// most recent entry (5.7+), which lets a reader stitch stacks together.
	BranchHWIndex  BranchFilter = unix.PERF_SAMPLE_BRANCH_HW_INDEX
	BranchPrivSave BranchFilter = unix.PERF_SAMPLE_BRANCH_PRIV_SAVE // record the privilege level (6.1+)
)

var branchFilterNames = []struct {
	f    BranchFilter
	name string
}{
	{BranchUser, "user"}, {BranchKernel, "kernel"}, {BranchHypervisor, "hv"},
	{BranchAny, "any"}, {BranchAnyCall, "any_call"}, {BranchAnyReturn, "any_ret"},
	{BranchIndirectCall, "ind_call"}, {BranchConditional, "cond"},
	{BranchIndirectJump, "ind_jmp"}, {BranchCall, "call"}, {BranchCallStack, "call_stack"},
	{BranchNoFlags, "no_flags"}, {BranchNoCycles, "no_cycles"}, {BranchTypeSave, "save_type"},
	{BranchHWIndex, "hw_index"}, {BranchPrivSave, "priv_save"},
}

// String spells the filter as perf record -j does, e.g. "any,user".
func (f BranchFilter) String() string {
	var names []string
	rest := f
	for _, n := range branchFilterNames {
		if f&n.f != 0 {
			names = append(names, n.name)
			rest &^= n.f
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", uint64(rest)))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// BranchEntry is one struct perf_branch_entry: a taken branch.
type BranchEntry struct {
	From, To uint64
	Flags    BranchFlags
}

// BranchFlags is the third u64 of struct perf_branch_entry, a C bitfield.
// On little-endian machines its fields are packed from bit 0 up:
//
//	mispred:1 predicted:1 in_tx:1 abort:1 cycles:16 type:4 spec:2
//	new_type:4 priv:3 reserved:31
type BranchFlags uint64

// field extracts width bits at shift.
func (f BranchFlags) field(shift, width uint) uint64 {
	return uint64(f) >> shift & (1<<width - 1)
}

// Mispredicted: the branch target was mispredicted.
func (f BranchFlags) Mispredicted() bool { return f.field(0, 1) == 1 }

// Predicted: the branch target was predicted.
func (f BranchFlags) Predicted() bool { return f.field(1, 1) == 1 }

// InTransaction: the branch was inside a hardware transaction (Intel TSX).
func (f BranchFlags) InTransaction() bool { return f.field(2, 1) == 1 }

// Abort: the branch is a transaction abort.
func (f BranchFlags) Abort() bool { return f.field(3, 1) == 1 }

// Cycles since the previous entry, where the hardware records it; 0 if not.
func (f BranchFlags) Cycles() uint16 { return uint16(f.field(4, 16)) }

// Type of the branch, when BranchTypeSave was asked for. The 4-bit type
// field's last value (PERF_BR_EXTEND_ABI) means "see new_type".
func (f BranchFlags) Type() BranchType {
	t := BranchType(f.field(20, 4))
	if t == branchExtendABI {
		return branchExtendABI + 1 + BranchType(f.field(26, 4))
	}
	return t
}

// Speculation outcome (AMD, Linux 6.1+).
func (f BranchFlags) Speculation() BranchSpec { return BranchSpec(f.field(24, 2)) }

// Privilege level of the branch target, when BranchPrivSave was asked for.
func (f BranchFlags) Privilege() BranchPriv { return BranchPriv(f.field(30, 3)) }

// BranchType is enum perf_branch_type (PERF_BR_*), with the values behind
// PERF_BR_EXTEND_ABI (6.1+, enum perf_branch_type_new) following on.
type BranchType uint8

const branchExtendABI BranchType = 15

// SyscallBranch is PERF_BR_SYSCALL: a system call instruction, the branch
// into the kernel's entry.
const SyscallBranch BranchType = 7

var branchTypeNames = []string{
	"unknown", "cond", "uncond", "ind", "call", "ind_call", "ret", "syscall",
	"sysret", "cond_call", "cond_ret", "eret", "irq", "serror", "no_tx", "extend_abi",
	"fault_algn", "fault_data", "fault_inst", "arch_1", "arch_2", "arch_3", "arch_4", "arch_5",
}

func (t BranchType) String() string { return enumName(branchTypeNames, int(t)) }

// BranchSpec is the PERF_BR_SPEC_* speculation outcome of a branch.
type BranchSpec uint8

var branchSpecNames = []string{"na", "wrong_path", "non_spec_correct_path", "spec_correct_path"}

func (s BranchSpec) String() string { return enumName(branchSpecNames, int(s)) }

// BranchPriv is the PERF_BR_PRIV_* privilege level of a branch.
type BranchPriv uint8

var branchPrivNames = []string{"unknown", "user", "kernel", "hv"}

func (p BranchPriv) String() string { return enumName(branchPrivNames, int(p)) }

func enumName(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%d", i)
}
