package lbr

import (
	"runtime"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
	"github.com/tracebench/tracebench/internal/perfevent"
)

// Landmark is a kernel function whose appearance in branch stacks the
// backend reports: the architecture's system call entry, or the function
// that runs once per event.
type Landmark struct {
	Role   string // "syscall_entry" or "event_function"
	Name   string // the kernel function
	Lo, Hi uint64 // its address range
}

// syscallEntries are, per architecture and newest kernels first, where a
// system call enters the kernel: the target of the branch the hardware
// records for the syscall instruction.
var syscallEntries = map[string][]string{
	"amd64": {"entry_SYSCALL_64"},
	"arm64": {"el0t_64_sync", "el0_sync"}, // el0t_64_sync since 5.12
}

// Landmarks resolves ev's landmarks in the kernel's symbol table; those the
// kernel lacks are left out.
func Landmarks(tab *ksym.Table, ev event.Event) []Landmark {
	var out []Landmark
	for _, c := range []struct {
		role  string
		names []string
	}{{"syscall_entry", syscallEntries[runtime.GOARCH]}, {"event_function", ksym.Functions(ev)}} {
		for _, name := range c.names {
			if lo, hi, ok := tab.Range(name); ok {
				out = append(out, Landmark{Role: c.role, Name: name, Lo: lo, Hi: hi})
				break
			}
		}
	}
	return out
}

// Reading is what branch stacks showed of the workload, added up over
// samples: how many branches, where they went, and in how many samples
// each landmark appeared.
type Reading struct {
	Samples   uint64 // with a branch stack
	Entries   uint64 // branch records
	User      uint64 // branches to user space
	Kernel    uint64 // branches to the kernel
	Entering  uint64 // branches from user space into the kernel: system calls, interrupts
	Syscalls  uint64 // branches of type syscall (PERF_BR_SYSCALL, with save_type)
	Landmarks map[string]uint64
}

// kernelSpace tells kernel addresses: the upper half of the address space
// on amd64 and arm64.
func kernelSpace(addr uint64) bool { return addr>>63 == 1 }

// Add reads one sample's branch stack. A landmark counts once per sample,
// whether a branch came from it or went to it.
func (r *Reading) Add(s *perfevent.Sample, marks []Landmark) {
	if len(s.Branches.Entries) == 0 {
		return
	}
	if r.Landmarks == nil {
		r.Landmarks = map[string]uint64{}
	}
	r.Samples++
	seen := map[string]bool{}
	for _, e := range s.Branches.Entries {
		r.Entries++
		if kernelSpace(e.To) {
			r.Kernel++
			if !kernelSpace(e.From) {
				r.Entering++
			}
		} else {
			r.User++
		}
		if e.Flags.Type() == perfevent.SyscallBranch {
			r.Syscalls++
		}
		for _, m := range marks {
			if in(e.From, m) || in(e.To, m) {
				seen[m.Role] = true
			}
		}
	}
	for role := range seen {
		r.Landmarks[role]++
	}
}

func in(addr uint64, m Landmark) bool { return addr >= m.Lo && addr < m.Hi }

// Totals are the reading's counts, by name.
func (r Reading) Totals(marks []Landmark) map[string]uint64 {
	t := map[string]uint64{
		"lbr_samples_with_stack": r.Samples,
		"lbr_entries":            r.Entries,
		"lbr_to_user":            r.User,
		"lbr_to_kernel":          r.Kernel,
		"lbr_user_to_kernel":     r.Entering,
		"lbr_syscall_branches":   r.Syscalls,
	}
	for _, m := range marks {
		t["lbr_samples_showing_"+m.Role] = r.Landmarks[m.Role]
	}
	return t
}

// Facts name the landmarks the reading looked for.
func Facts(marks []Landmark) map[string]string {
	f := map[string]string{}
	for _, m := range marks {
		f["lbr_"+m.Role] = m.Name
	}
	return f
}
