// Command tracebench measures what Linux tracing technologies cost, what they
// miss, and on which kernels and CPUs they work.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "tracebench:", err)
		os.Exit(1)
	}
}
