// Package fentry holds the BPF trampoline backends ebpf/fentry and
// ebpf/fexit (BPF_PROG_TYPE_TRACING, kernel 5.5+ on x86-64; arm64 gained
// the ftrace direct calls they need in 6.4). The probed function must have
// a BTF FUNC entry: syscall wrappers often have none, so an event may have
// no attachable function on a kernel (a classified missing-symbol).
package fentry

import (
	"errors"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/bpf"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
)

// Backend names.
const (
	Fentry = "ebpf/fentry"
	Fexit  = "ebpf/fexit"
)

var summaries = map[string]string{
	Fentry: "fentry (BPF trampoline at function entry) on kernel functions",
	Fexit:  "fexit (BPF trampoline at function exit) on kernel functions",
}

// prefixes name each backend's programs: PREFIX + event name.
var prefixes = map[string]string{Fentry: "fentry_", Fexit: "fexit_"}

// AttachCandidates maps each program of the fentry object to the kernel
// functions its backend tries, in order, on a kernel of architecture arch:
// what the program must be loaded for (a tracing program is verified
// against its target function).
func AttachCandidates(arch string) map[string][]string {
	out := map[string][]string{}
	for _, prefix := range prefixes {
		for _, ev := range event.All {
			out[prefix+ev.String()] = ksym.FunctionsOn(arch, ev)
		}
	}
	return out
}

// New returns the backend called name (Fentry or Fexit).
func New(name string) func() backends.Backend {
	prefix := prefixes[name]
	return func() backends.Backend {
		return loader.New(loader.Spec{
			Name:       name,
			Summary:    summaries[name],
			Load:       bpf.LoadFentry,
			Candidates: ksym.FunctionsByEvent(),
			Resolve: func(ev event.Event, _ backends.Setup) (loader.Hook, error) {
				spec, err := loader.KernelTypes()
				if err != nil {
					return loader.Hook{}, backends.Unsupportedf(backends.MissingBTF, "no kernel BTF: fentry needs the kernel's own BTF to find its target: %v", err)
				}
				fn, err := ksym.FirstBTFFunc(spec, ksym.Functions(ev))
				if errors.Is(err, ksym.ErrNoCandidate) {
					return loader.Hook{}, backends.Unsupportedf(backends.MissingSymbol, "%s: %v", ev, err)
				}
				if err != nil {
					return loader.Hook{}, err
				}
				return loader.Hook{
					Event:      ev,
					Program:    prefix + ev.String(),
					ProbePoint: fn,
					AttachTo:   fn,
					Attach: func(p *ebpf.Program) (io.Closer, error) {
						return link.AttachTracing(link.TracingOptions{Program: p})
					},
				}, nil
			},
		})
	}
}
