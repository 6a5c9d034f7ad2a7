// Command tracebench measures what Linux tracing technologies cost, what they
// miss, and on which kernels and CPUs they work.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tracebench/tracebench/vmtests/guest"
)

func main() {
	if os.Getpid() == 1 {
		// Booted as a vmtests guest's /init: set the guest up and run the
		// command line the host put in the initramfs.
		guest.Main(func(s *guest.Session) int {
			return execute(guest.NewContext(context.Background(), s), s.Args)
		})
	}
	os.Exit(execute(context.Background(), os.Args[1:]))
}

// execute runs one command line and returns the process exit status.
func execute(ctx context.Context, args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var status exitStatus
	switch {
	case errors.As(err, &status):
		return int(status)
	case err != nil:
		fmt.Fprintln(os.Stderr, "tracebench:", err)
		return 1
	}
	return 0
}

// exitStatus is an error that only sets the exit status.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
