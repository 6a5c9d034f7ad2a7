package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/vmtests/guest"
)

// newGuestRunCmd is the guest side of `tracebench run --target GUEST`: run
// the requested cells on the guest's kernel and send results.json back over
// the results port. The host starts it as the guest's /init command line.
func newGuestRunCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "guest-run REQUEST",
		Short:  "Run the cells of a guest request (inside a vmtests guest)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var req harness.GuestRequest
			if err := json.Unmarshal(b, &req); err != nil {
				return fmt.Errorf("guest request %s: %w", args[0], err)
			}
			if req.HideBTF {
				if guest.FromContext(cmd.Context()) == nil {
					return fmt.Errorf("guest request %s: hide_btf outside a vmtests guest", args[0])
				}
				if err := guest.HideKernelBTF(); err != nil {
					return err
				}
			}
			if err := req.PrepareHostRoot(); err != nil {
				return fmt.Errorf("guest request %s: external plugins: %w", args[0], err)
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			out := filepath.Join(os.TempDir(), "tracebench-run")
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			cfg := harness.GuestConfig(req, exe, out)
			// The console is a terminal, but it is read as a log file.
			cfg.Progress = &plainProgress{w: cmd.ErrOrStderr()}
			cfg.Log = cmd.ErrOrStderr()
			_, runErr := harness.Run(cmd.Context(), cfg)
			var w io.Writer = cmd.OutOrStdout()
			if s := guest.FromContext(cmd.Context()); s != nil {
				w = s.Results()
			}
			res, err := os.ReadFile(filepath.Join(out, results.File))
			if err != nil {
				return fmt.Errorf("guest run wrote no results: %w (run: %v)", err, runErr)
			}
			if _, err := w.Write(res); err != nil {
				return fmt.Errorf("send results to the host: %w", err)
			}
			return runErr
		},
	}
}
