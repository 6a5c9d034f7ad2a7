// Package builtin lists the backends compiled into the tracebench binary.
// Each is served out of process by the binary itself
// (`tracebench backend serve NAME`), like an external plugin.
package builtin

import (
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

// Traits are what the harness must know of a backend before it runs it.
type Traits struct {
	// Audit: the backend enables the audit subsystem, after which every
	// new process on the machine takes the slower syscall path until
	// reboot. The harness runs such backends last, and starts the
	// workload again after their Setup (a task forked before audit was
	// first enabled is never audited).
	Audit bool
	// GuestTools are programs of this machine the backend drives, carried
	// with their libraries into guests of its architecture (a guest has
	// no Debian system); without them its guest cells are missing-tool.
	GuestTools []string
}

type entry struct {
	new    func() backends.Backend
	traits Traits
}

var registry = map[string]entry{
	tracepoint.Name:    {new: tracepoint.New},
	rawtp.Name:         {new: rawtp.New},
	tpbtf.Name:         {new: tpbtf.New},
	kprobe.Kprobe:      {new: kprobe.New(kprobe.Kprobe)},
	kprobe.Kretprobe:   {new: kprobe.New(kprobe.Kretprobe)},
	kprobe.KprobeMulti: {new: kprobe.New(kprobe.KprobeMulti)},
	fentry.Fentry:      {new: fentry.New(fentry.Fentry)},
	fentry.Fexit:       {new: fentry.New(fentry.Fexit)},
	traceevent.Name:    {new: traceevent.New},
	function.Name:      {new: function.New},
	kprobeevent.Name:   {new: kprobeevent.New},
	perfevent.Name:     {new: perfevent.New},
	hpc.Name:           {new: hpc.New},
	lbr.Name:           {new: lbr.New},
	auditnetlink.Name:  {new: auditnetlink.New, traits: Traits{Audit: true}},
	auditdbackend.Name: {new: auditdbackend.New, traits: Traits{Audit: true, GuestTools: []string{"auditd"}}},

	// Front-end tools (backends/frontend). bpftrace and perf are not
	// carried into guests: they need LLVM or the guest kernel's own perf.
	bpftracetp.Name:     {new: bpftracetp.New},
	bpftracekprobe.Name: {new: bpftracekprobe.New},
	perftrace.Name:      {new: perftrace.New},
	tracecmd.Name:       {new: tracecmd.New, traits: Traits{GuestTools: []string{"trace-cmd"}}},
}

// TraitsOf returns the traits of the built-in backend called name; an
// external plugin has none.
func TraitsOf(name string) Traits { return registry[name].traits }

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
	e, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown backend %q (built in: %s)", name, strings.Join(Names(), ", "))
	}
	return e.new(), nil
}
