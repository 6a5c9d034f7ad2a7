package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/vmtests/kbuild"
)

func newVMBuildKernelCmd(f *vmFlags) *cobra.Command {
	var asJSON, verbose bool
	var fragment, cc string
	var jobs int
	cmd := &cobra.Command{
		Use:   "build-kernel NAME",
		Short: "Build a guest kernel from Debian's kernel source (nobtf: 6.1 without BTF), once, into the cache",
		Long: `build-kernel builds a kernel of the matrix that no distribution ships:
"nobtf" is Debian's linux-source-6.1 configured from tinyconfig plus
vmtests/kbuild/nobtf.config (eBPF tracing, DWARF, no BTF). It keeps the
bzImage, a debug-stripped vmlinux, the BTF pahole generates from the DWARF
and the .config under the cache, keyed by the source version, the fragment,
the compiler and pahole; the build tree is deleted. A cache hit takes
seconds; a build about 12 minutes on 2 cores. The fragment, the compiler,
pahole and the source package are checked before anything is compiled, and
the .config after olddefconfig before the image is.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := kbuild.Lookup(args[0])
			if err != nil {
				return err
			}
			if fragment != "" {
				if spec.Fragment, err = os.ReadFile(fragment); err != nil {
					return fmt.Errorf("--fragment: %w", err)
				}
			}
			_, c, err := f.load()
			if err != nil {
				return err
			}
			b := c.Builder()
			b.CC, b.Jobs = cc, jobs
			if verbose {
				b.Log = cmd.ErrOrStderr()
			} else {
				b.Log = io.Discard
			}
			r, err := b.Build(cmd.Context(), spec)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					kbuild.Result
					Dir   string `json:"dir"`
					Built bool   `json:"built"`
				}{r, r.Dir, r.Built})
			}
			how := "cached"
			if r.Built {
				how = fmt.Sprintf("built in %.0fs", r.BuildSeconds)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s (%s %s, key %s): %s\n  %s\n", r.Name, r.Release, r.Package, r.Version, r.Key, how, r.Dir)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the build as JSON")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show the build's output")
	cmd.Flags().StringVar(&fragment, "fragment", "", "configuration fragment instead of the checked-in one")
	cmd.Flags().StringVar(&cc, "cc", "gcc", "C compiler")
	cmd.Flags().IntVarP(&jobs, "jobs", "j", 0, "make jobs (default: every CPU)")
	return cmd
}
