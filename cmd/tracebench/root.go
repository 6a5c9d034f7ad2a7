package main

import (
	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "tracebench",
		Short: "Measure the cost, coverage and portability of Linux tracing backends",
		Long: `tracebench runs the same workloads (getppid, openat, exec, connect) under
each Linux tracing backend — eBPF tracepoints, kprobes and fentry, ftrace, audit,
perf — and measures what each costs per event (with a 95% confidence interval),
what it misses (seen / lost / unexplained against an exact ground truth), and
whether it loads and attaches at all on a kernel, classified when it cannot.

It runs as root and restores the kernel state it changes, even after a crash
(see 'tracebench doctor').`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newRunCmd(),
		newBackendsCmd(),
		newReportCmd(),
		newCompareCmd(),
		newPortabilityCmd(),
		newVerifyCmd(),
		newDoctorCmd(),
		newVMCmd(),
		newBackendCmd(),
		newWorkloadCmd(),
		newGuestRunCmd(),
		newVerifyGuestCmd(),
		newPlanCmd(),
		newMergeCmd(),
		newJUnitCmd(),
		newBTFCmd(),
	)
	return root
}
