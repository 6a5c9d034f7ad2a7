package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/vmtests"
)

func newVMBTFCmd(f *vmFlags) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "btf TARGET... | all",
		Short: "Write each Debian guest kernel's BTF, minimized for tracebench's objects, to DIR/RELEASE.btf (make btf)",
		Long: `btf fetches each target's kernel (from the cache when there), extracts the
BTF the kernel carries in its image, cuts it to what tracebench's eBPF
objects relocate against and writes DIR/RELEASE.btf, printing both sizes.
The files in vmtests/btf are committed: targets with hide_btf load through
them.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, c, err := f.load()
			if err != nil {
				return err
			}
			ts, err := targets(m, args)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "TARGET\tRELEASE\tKERNEL BTF\tMINIMIZED\tFILE")
			for _, t := range ts {
				if _, ok := t.Source.(vmtests.DebianPackage); !ok {
					continue // builds and local images carry no BTF of their own
				}
				k, err := c.Fetch(cmd.Context(), t)
				if err != nil {
					return err
				}
				b, err := vmtests.MinimizeKernelBTF(cmd.Context(), k, dir)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%s\t%s\t%d bytes\t%d bytes\t%s\n", t.Name, b.Release, b.Full.Size, b.Min.Size, b.Min.Path)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "vmtests/btf", "directory to write RELEASE.btf files to")
	return cmd
}
