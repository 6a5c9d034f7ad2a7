package harness

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/results"
)

// HostFacts describes the running kernel and machine.
func HostFacts() results.Host {
	var u unix.Utsname
	unix.Uname(&u)
	h := results.Host{
		KernelRelease: unix.ByteSliceToString(u.Release[:]),
		Arch:          runtime.GOARCH,
		CPUModel:      cpuModel(),
		CPUs:          runtime.NumCPU(),
		HardwarePMU:   HasHardwarePMU(),
	}
	h.Machine, _ = os.Hostname()
	_, err := os.Stat("/sys/kernel/btf/vmlinux")
	h.BTF = err == nil
	return h
}

// cpuModel reads the CPU's name from /proc/cpuinfo: "model name" on x86;
// arm64 kernels give only implementer and part numbers.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	var impl, part string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "model name":
			return v
		case "CPU implementer":
			impl = v
		case "CPU part":
			part = v
		}
	}
	if impl != "" {
		return "arm64 implementer " + impl + " part " + part
	}
	return "unknown"
}

// HasHardwarePMU reports whether perf has a CPU PMU with hardware
// counters: "cpu" on x86 (absent in VMs without a virtual PMU), the
// hybrid "cpu_core"/"cpu_atom", or an "armv8_pmuv3*" on arm64.
func HasHardwarePMU() bool {
	for _, pat := range []string{"cpu", "cpu_core", "cpu_atom", "armv8_pmuv3*", "armv8_cortex*"} {
		if m, _ := filepath.Glob("/sys/bus/event_source/devices/" + pat); len(m) > 0 {
			return true
		}
	}
	return false
}
