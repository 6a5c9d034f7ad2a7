// Package builtin lists the backends compiled into the tracebench binary.
// Each is served out of process by the binary itself
// (`tracebench backend serve NAME`), like an external plugin.
package builtin

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tracebench/tracebench/backends"
	auditdbackend "github.com/tracebench/tracebench/backends/audit/auditd"
	auditnetlink "github.com/tracebench/tracebench/backends/audit/netlink"
	bpftracekprobe "github.com/tracebench/tracebench/backends/bpftrace/kprobe"
	bpftracetp "github.com/tracebench/tracebench/backends/bpftrace/tracepoint"
	"github.com/tracebench/tracebench/backends/ebpf/fentry"
	"github.com/tracebench/tracebench/backends/ebpf/kprobe"
	"github.com/tracebench/tracebench/backends/ebpf/perfevent"
	"github.com/tracebench/tracebench/backends/ebpf/rawtp"
	"github.com/tracebench/tracebench/backends/ebpf/tpbtf"
	"github.com/tracebench/tracebench/backends/ebpf/tracepoint"
	"github.com/tracebench/tracebench/backends/ftrace/function"
	"github.com/tracebench/tracebench/backends/ftrace/kprobeevent"
	"github.com/tracebench/tracebench/backends/ftrace/tracecmd"
	"github.com/tracebench/tracebench/backends/ftrace/traceevent"
	"github.com/tracebench/tracebench/backends/perf/hpc"
	"github.com/tracebench/tracebench/backends/perf/lbr"
	perftrace "github.com/tracebench/tracebench/backends/perf/trace"
)

var registry = map[string]func() backends.Backend{
	tracepoint.Name:    tracepoint.New,
	rawtp.Name:         rawtp.New,
	tpbtf.Name:         tpbtf.New,
	kprobe.Kprobe:      kprobe.New(kprobe.Kprobe),
	kprobe.Kretprobe:   kprobe.New(kprobe.Kretprobe),
	kprobe.KprobeMulti: kprobe.New(kprobe.KprobeMulti),
	fentry.Fentry:      fentry.New(fentry.Fentry),
	fentry.Fexit:       fentry.New(fentry.Fexit),
	traceevent.Name:    traceevent.New,
	function.Name:      function.New,
	kprobeevent.Name:   kprobeevent.New,
	perfevent.Name:     perfevent.New,
	hpc.Name:           hpc.New,
	lbr.Name:           lbr.New,
	auditnetlink.Name:  auditnetlink.New,
	auditdbackend.Name: auditdbackend.New,

	// Front-end tools (backends/frontend). bpftrace and perf are not
	// carried into guests: they need LLVM or the guest kernel's own perf.
	bpftracetp.Name:     bpftracetp.New,
	bpftracekprobe.Name: bpftracekprobe.New,
	perftrace.Name:      perftrace.New,
	tracecmd.Name:       tracecmd.New,
}

// TraitsOf returns the traits the built-in backend called name
// describes, asked in process (Describe is static for every built-in
// backend) so that the harness knows them before it starts the backend.
func TraitsOf(name string) backends.Traits {
	newBackend, ok := registry[name]
	if !ok {
		return backends.Traits{}
	}
	d, _ := newBackend().Describe(context.Background())
	return d.Traits
}

// Has reports whether a backend called name is built in.
func Has(name string) bool { _, ok := registry[name]; return ok }

// Names returns the built-in backend names, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// New returns the built-in backend called name.
func New(name string) (backends.Backend, error) {
	newBackend, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown backend %q (built in: %s)", name, strings.Join(Names(), ", "))
	}
	return newBackend(), nil
}
