package harness

import (
	"context"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/internal/btfgen"
	"github.com/tracebench/tracebench/vmtests"
)

// GuestBTFFile is where a guest finds the external BTF the host gave it.
const GuestBTFFile = "/tracebench/vmlinux.btf"

// guestBTF is the external BTF a guest loads its eBPF backends with: the
// run's (--btf, a host path), else the target's btf file, else the one a
// kernel build generated from its DWARF (k.BTF covers the last two), cut
// to tracebench's objects for the guest's architecture when the target
// says btf_min. The file travels in the initramfs; the options tell the
// loader where it is and where it came from. No BTF: no files, no options.
func guestBTF(ctx context.Context, t vmtests.Target, k vmtests.Kernel, runBTF string) (map[string][]byte, map[string]string, error) {
	path, source := k.BTF, loader.BTFExternal
	switch {
	case runBTF != "":
		path = runBTF
	case t.HideBTF:
		b, err := vmtests.CommittedBTF(k.Release)
		if err != nil {
			return nil, nil, err
		}
		opts := map[string]string{loader.OptBTF: GuestBTFFile, loader.OptBTFSource: loader.BTFExternalMin}
		return map[string][]byte{GuestBTFFile: b}, opts, nil
	case k.BTF == "":
		return nil, nil, nil
	case t.BTF == "":
		source = loader.BTFFromDWARF
	}
	opts := map[string]string{loader.OptBTF: GuestBTFFile}
	full := path
	if t.BTFMin {
		dir, err := os.MkdirTemp("", "tracebench-btf-")
		if err != nil {
			return nil, nil, err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "vmlinux.min.btf")
		fullInfo, _, err := btfgen.MinimizeForTracebench(ctx, full, t.Arch, path)
		if err != nil {
			return nil, nil, err
		}
		opts[loader.OptBTFFullSize] = strconv.FormatInt(fullInfo.Size, 10)
		source = map[string]string{loader.BTFExternal: loader.BTFExternalMin, loader.BTFFromDWARF: loader.BTFFromDWARFMin}[source]
	}
	opts[loader.OptBTFSource] = source
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return map[string][]byte{GuestBTFFile: b}, opts, nil
}
