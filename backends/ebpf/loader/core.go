package loader

import (
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// coreRelocations counts the CO-RE relocations of the programs in cs: the
// field accesses the loader rewrites for the running kernel's types.
func coreRelocations(cs *ebpf.CollectionSpec) int {
	n := 0
	for _, p := range cs.Programs {
		for i := range p.Instructions {
			if btf.CORERelocationMetadata(&p.Instructions[i]) != nil {
				n++
			}
		}
	}
	return n
}

// groundTruth returns the check of a stream record's CO-RE values. Records
// come from the workload's root process (pid) or from its children (the
// exec workload's programs): the tgid read through CO-RE must equal the one
// the helper returned, and the parent read through CO-RE must be pid's
// parent, or pid itself for a child. With the wrong kernel types (BTF of
// another kernel) the offsets are wrong and the values are garbage. With no
// pid to check against (a trial attach), only the tgid is checked.
func groundTruth(pid int) func(tgid, tgidCore, ppidCore uint32) bool {
	parent := uint32(parentPID(pid))
	return func(tgid, tgidCore, ppidCore uint32) bool {
		switch {
		case tgidCore != tgid:
			return false
		case pid == 0:
			return true
		case tgid == uint32(pid):
			return ppidCore == parent
		}
		return ppidCore == uint32(pid)
	}
}

// parentPID reads field 4 of /proc/PID/stat.
func parentPID(pid int) int {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}
