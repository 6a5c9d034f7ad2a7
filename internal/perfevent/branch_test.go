package perfevent

import "testing"

// TestBranchFlags decodes flag words that clang 14 produced from
// struct perf_branch_entry of linux-libc-dev 6.1 (x86_64) by setting the
// bitfields by name and printing the third u64.
func TestBranchFlags(t *testing.T) {
	for _, tc := range []struct {
		raw                             BranchFlags
		mispred, predicted, inTx, abort bool
		cycles                          uint16
		typ                             BranchType
		spec                            BranchSpec
		priv                            BranchPriv
		typeName, specName, privName    string
	}{
		// mispred=1 cycles=0x1234 type=PERF_BR_CALL spec=PERF_BR_SPEC_CORRECT_PATH priv=PERF_BR_PRIV_USER
		{0x43412341, true, false, false, false, 0x1234, 4, 3, 1, "call", "spec_correct_path", "user"},
		// predicted=1 in_tx=1 abort=1 cycles=0xffff type=PERF_BR_EXTEND_ABI
		// new_type=PERF_BR_NEW_FAULT_INST spec=PERF_BR_SPEC_WRONG_PATH priv=PERF_BR_PRIV_HV
		{0xc9fffffe, false, true, true, true, 0xffff, 18, 1, 3, "fault_inst", "wrong_path", "hv"},
		// type=PERF_BR_SYSCALL priv=PERF_BR_PRIV_USER
		{BranchFlags(1<<30 | uint64(SyscallBranch)<<20), false, false, false, false, 0, SyscallBranch, 0, 1, "syscall", "na", "user"},
		// reserved=1 only: nothing decoded.
		{0x200000000, false, false, false, false, 0, 0, 0, 0, "unknown", "na", "unknown"},
	} {
		f := tc.raw
		if f.Mispredicted() != tc.mispred || f.Predicted() != tc.predicted || f.InTransaction() != tc.inTx || f.Abort() != tc.abort {
			t.Errorf("%#x: mispred %v predicted %v in_tx %v abort %v, want %v %v %v %v", uint64(f),
				f.Mispredicted(), f.Predicted(), f.InTransaction(), f.Abort(), tc.mispred, tc.predicted, tc.inTx, tc.abort)
		}
		if f.Cycles() != tc.cycles {
			t.Errorf("%#x: cycles %#x, want %#x", uint64(f), f.Cycles(), tc.cycles)
		}
		if f.Type() != tc.typ || f.Type().String() != tc.typeName {
			t.Errorf("%#x: type %d %q, want %d %q", uint64(f), f.Type(), f.Type(), tc.typ, tc.typeName)
		}
		if f.Speculation() != tc.spec || f.Speculation().String() != tc.specName {
			t.Errorf("%#x: spec %q, want %q", uint64(f), f.Speculation(), tc.specName)
		}
		if f.Privilege() != tc.priv || f.Privilege().String() != tc.privName {
			t.Errorf("%#x: priv %q, want %q", uint64(f), f.Privilege(), tc.privName)
		}
	}
}

func TestBranchFilterString(t *testing.T) {
	for f, want := range map[BranchFilter]string{
		0:                                    "none",
		BranchAny | BranchUser:               "user,any",
		BranchCallStack | BranchHWIndex:      "call_stack,hw_index",
		BranchAnyCall | BranchKernel | 1<<40: "kernel,any_call,0x10000000000",
	} {
		if got := f.String(); got != want {
			t.Errorf("BranchFilter(%#x).String() = %q, want %q", uint64(f), got, want)
		}
	}
}
