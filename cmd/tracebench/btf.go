package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/internal/btfgen"
)

func newBTFCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "btf",
		Short: "Make kernel BTF for kernels without their own: generate it from DWARF, minimize it for eBPF objects",
		Long: `CO-RE eBPF objects relocate against the running kernel's types, which a
kernel built with CONFIG_DEBUG_INFO_BTF exposes at /sys/kernel/btf/vmlinux.
For a kernel without it, 'btf gen' generates the BTF from a vmlinux with
DWARF (pahole), and 'btf min' cuts a BTF file to the types given objects
need (bpftool gen min_core_btf): a few hundred bytes instead of megabytes,
small enough to ship with a tool. 'tracebench run --btf FILE' loads every
eBPF backend with such a file.`,
	}
	cmd.AddCommand(newBTFGenCmd(), newBTFMinCmd())
	return cmd
}

func newBTFGenCmd() *cobra.Command {
	var out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "gen VMLINUX -o OUT",
		Short: "Generate detached BTF from a vmlinux with DWARF (pahole 1.16 or later)",
		Long: `gen writes the BTF of VMLINUX, an ELF kernel with DWARF (a kernel build's
vmlinux with CONFIG_DEBUG_INFO, or the one in Debian's linux-image-*-dbg
package), to OUT as raw BTF, the format of /sys/kernel/btf/vmlinux. pahole
1.22 or later writes it directly (--btf_encode_detached); 1.16 to 1.21 encode
into a copy and llvm-objcopy cuts the .BTF section out.`,
		Example: `  tracebench btf gen /usr/lib/debug/boot/vmlinux-6.1.0-28-amd64 -o vmlinux.btf`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("--out is required")
			}
			info, err := btfgen.Generate(cmd.Context(), args[0], out)
			if err != nil {
				return err
			}
			return printBTF(cmd.OutOrStdout(), asJSON, map[string]btfgen.Info{"btf": info})
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "BTF file to write")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the file's size and type count as JSON")
	return cmd
}

func newBTFMinCmd() *cobra.Command {
	var in, out, arch string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "min --btf FILE [OBJECT...] -o OUT",
		Short: "Minimize a BTF file to the types eBPF objects relocate against (bpftool gen min_core_btf)",
		Long: `min keeps of the kernel types in FILE only those the CO-RE relocations of
the given eBPF objects need, and reports both sizes. Without objects it
minimizes for tracebench's own programs (of --arch).`,
		Example: `  tracebench btf min --btf vmlinux.btf -o tracebench.btf
  tracebench btf min --btf /sys/kernel/btf/vmlinux mytool.bpf.o -o mytool.btf`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if in == "" || out == "" {
				return errors.New("--btf and --out are required")
			}
			var full, min btfgen.Info
			var err error
			if len(args) == 0 {
				full, min, err = btfgen.MinimizeForTracebench(cmd.Context(), in, arch, out)
			} else {
				full, min, err = btfgen.Minimize(cmd.Context(), in, args, out)
			}
			if err != nil {
				return err
			}
			return printBTF(cmd.OutOrStdout(), asJSON, map[string]btfgen.Info{"full": full, "minimized": min})
		},
	}
	cmd.Flags().StringVar(&in, "btf", "", "the full BTF `FILE` (e.g. /sys/kernel/btf/vmlinux, or what 'btf gen' wrote)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "minimized BTF file to write")
	cmd.Flags().StringVar(&arch, "arch", runtime.GOARCH, "architecture of tracebench's own objects, when no object is given (amd64, arm64)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print both files' sizes and type counts as JSON")
	return cmd
}

func printBTF(w io.Writer, asJSON bool, infos map[string]btfgen.Info) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(infos)
	}
	for _, k := range []string{"btf", "full", "minimized"} {
		if i, ok := infos[k]; ok {
			fmt.Fprintf(w, "%-9s %10d bytes %7d types  %s\n", k, i.Size, i.Types, i.Path)
		}
	}
	return nil
}

// btfOption adds --btf FILE to a run's backend options, after checking
// the file is BTF: every eBPF backend then loads with those types.
func btfOption(opts map[string]string, path string) (map[string]string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := btfgen.Inspect(abs); err != nil {
		return nil, fmt.Errorf("--btf: %w", err)
	}
	out := maps.Clone(opts)
	if out == nil {
		out = map[string]string{}
	}
	out[loader.OptBTF] = abs
	return out, nil
}
