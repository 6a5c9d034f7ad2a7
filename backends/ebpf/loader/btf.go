package loader

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/tracebench/tracebench/backends"
)

// BTF sources, the values of the btf_source fact: where the kernel types
// CO-RE relocated against came from.
const (
	BTFKernel       = "kernel"               // /sys/kernel/btf/vmlinux
	BTFExternal     = "external"             // a file given with --btf
	BTFExternalMin  = "external minimized"   // cut to tracebench's objects
	BTFFromDWARF    = "generated from DWARF" // pahole, from the kernel's debug info
	BTFFromDWARFMin = "generated from DWARF, minimized"
)

// kernelTypesFor returns the kernel types the options name (nil: the
// running kernel's own) and records where they came from and their size
// as facts: btf_source, btf_size (bytes), btf_full_size for a minimized
// file.
func kernelTypesFor(opts map[string]string, facts map[string]string) (*btf.Spec, error) {
	path := opts[OptBTF]
	if path == "" {
		facts["btf_source"] = BTFKernel
		if st, err := os.Stat(KernelBTF); err == nil {
			facts["btf_size"] = strconv.FormatInt(st.Size(), 10)
		}
		return nil, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("external BTF: %w", err)
	}
	kt, err := externalTypes(path)
	if err != nil {
		return nil, err
	}
	facts["btf_source"] = cmp.Or(opts[OptBTFSource], BTFExternal)
	facts["btf_file"] = path
	facts["btf_size"] = strconv.FormatInt(st.Size(), 10)
	if full := opts[OptBTFFullSize]; full != "" {
		facts["btf_full_size"] = full
	}
	return kt, nil
}

var (
	externalMu    sync.Mutex
	externalSpecs = map[string]*btf.Spec{}
)

// externalTypes decodes the BTF file at path once per plugin process, as
// kernelTypes does the kernel's: a probe loads a collection per event and
// mode, and decoding megabytes of BTF takes seconds under emulation.
func externalTypes(path string) (*btf.Spec, error) {
	externalMu.Lock()
	defer externalMu.Unlock()
	if s, ok := externalSpecs[path]; ok {
		return s, nil
	}
	s, err := btf.LoadSpec(path)
	if err != nil {
		return nil, fmt.Errorf("external BTF %s: %w", path, err)
	}
	externalSpecs[path] = s
	return s, nil
}

// noKernelBTF classifies a load error as missing-btf when CO-RE found no
// kernel types: none given and none at /sys/kernel/btf/vmlinux (cilium/ebpf
// then says "no BTF found for kernel version …", ErrNotSupported). Only
// the load step relocates, so an unsupported attach is not mistaken for it.
func noKernelBTF(err error, external *btf.Spec) error {
	if external != nil || !errors.Is(err, ebpf.ErrNotSupported) {
		return err
	}
	if _, serr := os.Stat(KernelBTF); serr == nil {
		return err
	}
	return backends.Unsupportedf(backends.MissingBTF, "no kernel BTF (%s absent) and no external BTF given: %v", KernelBTF, err)
}

// needKernelBTF refuses tracing programs (tp_btf, fentry) on a kernel
// without BTF of its own: the kernel checks them against its own types
// (attach_btf_id into btf_vmlinux), which no external file can stand in
// for; external BTF serves CO-RE relocation only.
func needKernelBTF(cs *ebpf.CollectionSpec) error {
	for name, p := range cs.Programs {
		if p.Type != ebpf.Tracing {
			continue
		}
		if _, err := os.Stat(KernelBTF); err != nil {
			return backends.Unsupportedf(backends.MissingBTF, "no kernel BTF (%s absent): %s is a %s program, which the kernel verifies against its own BTF; external BTF only serves CO-RE relocations", KernelBTF, name, p.AttachType)
		}
	}
	return nil
}
