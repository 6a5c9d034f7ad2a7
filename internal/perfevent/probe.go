package perfevent

import "errors"

// ProbeHardware tells whether the CPU's hardware counters can be used here:
// it opens and closes a user-mode cycles counter on the calling thread
// (user mode only, so kernel.perf_event_paranoid <= 2 suffices). It returns
// nil, or an [*Error] of class [ErrNoPMU], [ErrNoHardwareEvent] (a PMU
// without cycles), [ErrPermission] or [ErrMissingConfig].
func ProbeHardware() error {
	c, err := OpenCounter(Cycles, Task{ExcludeKernel: true, Disabled: true})
	if err != nil {
		return err
	}
	return c.Close()
}

// ProbeBranchStack tells whether cycles can be sampled with a branch stack
// of the given filter (which needs a branch kind such as BranchAny or
// BranchCallStack; BranchUser is added when no privilege level is given).
// It returns nil, or an error of class [ErrNoBranchStack] — which also
// matches [ErrNoPMU] when there are no hardware counters at all —,
// [ErrPermission] or [ErrMissingConfig]. Intel LBR needs a real PMU (not
// most VMs' virtual one); Arm BRBE needs an Armv9.2 core and a kernel
// with its driver (merged in 2025, absent from 6.1); none exists on
// tracebench's machines.
func ProbeBranchStack(f BranchFilter) error {
	if f&(BranchUser|BranchKernel|BranchHypervisor) == 0 {
		f |= BranchUser
	}
	s, err := OpenSampler(SamplerOptions{
		Event:      Cycles,
		Task:       Task{ExcludeKernel: true, Disabled: true},
		Period:     1_000_000,
		SampleType: SampleIP,
		Branches:   f,
		RingPages:  1,
	})
	if errors.Is(err, ErrNoPMU) {
		return &Error{Op: "probe branch stack", Event: Cycles.Name, Class: ErrNoBranchStack, Detail: "no hardware PMU", Err: err}
	}
	if err != nil {
		return err
	}
	return s.Close()
}
