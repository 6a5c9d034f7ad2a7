package ftrace

import (
	"fmt"
	"strconv"
)

// OptBufferKB is the option (Setup.Options, ProbeRequest.Options) that
// sets each instance's ring buffer size per CPU, in KiB (buffer_size_kb;
// the kernel rounds it up to whole pages, two at least).
const OptBufferKB = "buffer_kb"

// DefaultBufferKB is the buffer size per CPU when OptBufferKB is not
// given: 4 MiB, like the eBPF backends' ring buffer, large enough for a
// stream reader woken every pollPeriod to keep up with a null syscall.
const DefaultBufferKB = 4096

func bufferKB(opts map[string]string) (uint64, error) {
	v, ok := opts[OptBufferKB]
	if !ok {
		return DefaultBufferKB, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n < 1 || n > 1<<20 {
		return 0, fmt.Errorf("option %s=%q: want KiB per CPU, an integer in [1, %d]", OptBufferKB, v, 1<<20)
	}
	return n, nil
}
