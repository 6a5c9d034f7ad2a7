package analysis

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/tracebench/tracebench/results"
)

// BTFUse is where the eBPF cells of one target found the kernel types
// their CO-RE relocations were resolved against (the loader's facts):
// the kernel's own BTF, an external file, a minimized one, or BTF
// generated from the kernel's DWARF.
type BTFUse struct {
	Target string
	// KernelBTF: the kernel has /sys/kernel/btf/vmlinux.
	KernelBTF bool
	Source    string // the btf_source fact
	// Size is the BTF's size in bytes; FullSize that of the file a
	// minimized one was cut from (0: not minimized, or unknown).
	Size, FullSize int64
	// Loaded counts the cells whose programs loaded with it, and
	// Relocations the CO-RE relocations a load applied (least and most
	// over those cells: each cell loads its own events' programs).
	Loaded                         int
	MinRelocations, MaxRelocations int
}

// BTFUses lists, per target (in run order) and source, how the eBPF
// cells found kernel types. Cells that did not load count only towards
// the source they tried.
func BTFUses(r *results.Run) []BTFUse {
	var out []BTFUse
	for _, t := range r.Targets {
		byTarget := map[string]*BTFUse{}
		for _, c := range r.Cells {
			src := c.Facts["btf_source"]
			if c.Target != t.Name || src == "" {
				continue
			}
			u := byTarget[src]
			if u == nil {
				u = &BTFUse{Target: t.Name, KernelBTF: t.Host.BTF, Source: src, MinRelocations: -1}
				byTarget[src] = u
			}
			u.Size = max(u.Size, factInt(c, "btf_size"))
			u.FullSize = max(u.FullSize, factInt(c, "btf_full_size"))
			if c.Status != results.OK {
				continue
			}
			u.Loaded++
			n := int(factInt(c, "core_relocations"))
			u.MaxRelocations = max(u.MaxRelocations, n)
			if u.MinRelocations < 0 || n < u.MinRelocations {
				u.MinRelocations = n
			}
		}
		var uses []BTFUse
		for _, u := range byTarget {
			u.MinRelocations = max(u.MinRelocations, 0)
			uses = append(uses, *u)
		}
		slices.SortFunc(uses, func(a, b BTFUse) int { return cmp.Compare(a.Source, b.Source) })
		out = append(out, uses...)
	}
	return out
}

func factInt(c results.Cell, name string) int64 {
	n, _ := strconv.ParseInt(c.Facts[name], 10, 64)
	return n
}
