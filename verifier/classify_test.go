package verifier

import (
	"fmt"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"
)

// TestClassifyLog: the verifier's own last words, as kernels 5.10 to 6.18
// print them (most captured from the fixtures in this package's guests),
// map to their classes; the line that explains wins over the instruction
// dump before it.
func TestClassifyLog(t *testing.T) {
	cases := []struct {
		lines []string
		want  Class
	}{
		{[]string{"14: (79) r1 = *(u64 *)(r0 +0)", "R0 unbounded memory access, make sure to bounds check any such access"}, MemoryAccess},
		{[]string{"23: (71) r8 = *(u8 *)(r6 +0)", "invalid access to map value, value_size=80 off=80 size=1", "R6 max value is outside of the allowed memory range"}, MemoryAccess},
		{[]string{"variable stack access var_off=(0x0; 0xf) off=-32 size=1"}, MemoryAccess},
		{[]string{"math between map_value pointer and register with unbounded min value is not allowed"}, MemoryAccess},
		{[]string{"R1 invalid mem access 'map_value_or_null'"}, MemoryAccess},
		{[]string{"R2 min value is negative, either use unsigned or 'var &= const'"}, MemoryAccess},
		{[]string{"number of funcs in func_info doesn't match number of subprogs"}, UnknownHelper},
		{[]string{"12: (85) call bpf_loop#181", "unknown func bpf_loop#181"}, UnknownHelper},
		{[]string{"calling kernel function bpf_obj_new_impl is not allowed"}, UnknownHelper},
		{[]string{"program of this type cannot use helper bpf_probe_read#4"}, UnknownHelper},
		{[]string{"back-edge from insn 12 to 5"}, Loop},
		{[]string{"infinite loop detected at insn 3"}, Loop},
		{[]string{"BPF program is too large. Processed 1000001 insn"}, TooLarge},
		{[]string{"combined stack size of 2 calls is 544. Too large"}, TooLarge},
		{[]string{"The sequence of 8193 jumps is too complex."}, TooLarge},
		{[]string{"R3 type=map_value expected=fp"}, RegisterState},
		{[]string{"R1 !read_ok"}, RegisterState},
		{[]string{"R0 invalid mem access 'scalar'"}, RegisterState},
		{[]string{"R0 invalid mem access 'inv'"}, RegisterState},
		{[]string{"Unreleased reference id=2 alloc_insn=7"}, RegisterState},
		{[]string{fmt.Sprintf("2: (85) call unknown#%d", btf.COREBadRelocationSentinel), fmt.Sprintf("invalid func unknown#%d", btf.COREBadRelocationSentinel)}, BTF},
		{[]string{"invalid btf_id for struct_ops"}, BTF},
	}
	for _, c := range cases {
		got, ok := classifyLog(c.lines)
		if !ok || got != c.want {
			t.Errorf("%q: %q (matched %v), want %q", c.lines[len(c.lines)-1], got, ok, c.want)
		}
	}
	if got, ok := classifyLog([]string{"0: (b7) r0 = 0", "something new the kernel says"}); ok {
		t.Errorf("unknown message classified %q", got)
	}
}

// TestClassifyErr: without a log, the errno of BPF_PROG_LOAD says why.
func TestClassifyErr(t *testing.T) {
	cases := []struct {
		err  error
		want Class
	}{
		{fmt.Errorf("load program: %w", unix.EPERM), Permission},
		{fmt.Errorf("load program: %w", unix.EACCES), Permission},
		{fmt.Errorf("load program: %w", unix.EINVAL), ProgramType},
		{fmt.Errorf("load program: %w", unix.Errno(524)), ProgramType},
		{fmt.Errorf("load program: %w", unix.E2BIG), TooLarge},
		{fmt.Errorf("find target: %w", btf.ErrNotFound), AttachTarget},
		{fmt.Errorf("load kernel spec: %w", ebpf.ErrNotSupported), BTF},
		{fmt.Errorf("load program: %w", unix.ENOMEM), Other},
	}
	for _, c := range cases {
		if got := classifyErr(c.err); got != c.want {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
}

// TestExplanation keeps the end of the log without statistics, lines cut
// to a readable width.
func TestExplanation(t *testing.T) {
	var log []string
	for i := 0; i < 20; i++ {
		log = append(log, fmt.Sprintf("%d: (b7) r0 = 0", i))
	}
	long := "R1 invalid mem access " + string(make([]byte, 400))
	log = append(log, long, "processed 21 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0", "")
	got := explanation(log)
	if len(got) != logLines || got[0] != "9: (b7) r0 = 0" || len(got[len(got)-1]) != lineMax+len("…") {
		t.Errorf("explanation: %d lines, first %q, last %d bytes", len(got), got[0], len(got[len(got)-1]))
	}
	if n, ok := processed(log); !ok || n != 21 {
		t.Errorf("processed: %d %v, want 21", n, ok)
	}
}
