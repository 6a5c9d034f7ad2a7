package verifier

import (
	"encoding/binary"
	"fmt"
	"runtime"

	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/results"
)

// Job is one object to verify on one kernel.
type Job struct {
	Build   string  `json:"build"`  // results.Build ID
	Object  string  `json:"object"` // results.VerifierObject name
	Path    string  `json:"path"`   // the object file where the job runs
	Options Options `json:"options"`
	// BTF is an external kernel BTF file for kernels without their own.
	BTF string `json:"btf,omitempty"`
}

// Verdicts is what one kernel said about a set of jobs.
type Verdicts struct {
	Kernel Kernel                 `json:"kernel"`
	Cells  []results.VerifierCell `json:"cells"`
	// Errors are jobs that produced no cells.
	Errors []JobError `json:"errors,omitempty"`
}

// Kernel is what a target kernel is.
type Kernel struct {
	Release string `json:"release"`
	Arch    string `json:"arch"`
	BTF     bool   `json:"btf"`
}

// JobError is a job that could not run.
type JobError struct {
	Build  string `json:"build"`
	Object string `json:"object"`
	Error  string `json:"error"`
}

// RunJobs verifies every job on the running kernel, target naming it in
// the cells.
func RunJobs(target string, jobs []Job) Verdicts {
	v := Verdicts{Kernel: runningKernel()}
	// Before 5.11 the kernel charges BPF maps to RLIMIT_MEMLOCK.
	memlockErr := rlimit.RemoveMemlock()
	for _, j := range jobs {
		cells, err := runJob(j)
		if err != nil {
			if memlockErr != nil {
				err = fmt.Errorf("%w (and RLIMIT_MEMLOCK could not be raised: %v)", err, memlockErr)
			}
			v.Errors = append(v.Errors, JobError{Build: j.Build, Object: j.Object, Error: err.Error()})
			continue
		}
		for _, c := range cells {
			c.Target, c.Build, c.Object = target, j.Build, j.Object
			v.Cells = append(v.Cells, c)
		}
	}
	return v
}

func runJob(j Job) ([]results.VerifierCell, error) {
	spec, err := Open(j.Path, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	opts := j.Options
	if j.BTF != "" {
		if opts.KernelTypes, err = btf.LoadSpec(j.BTF); err != nil {
			return nil, fmt.Errorf("external BTF %s: %w", j.BTF, err)
		}
	}
	return Verify(spec, opts)
}

func runningKernel() Kernel {
	k := Kernel{Arch: runtime.GOARCH}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		k.Release = unix.ByteSliceToString(u.Release[:])
	}
	k.BTF = kernelHasBTF()
	return k
}
