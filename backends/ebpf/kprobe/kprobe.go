// Package kprobe holds the dynamic-probe eBPF backends: ebpf/kprobe and
// ebpf/kretprobe (BPF_PROG_TYPE_KPROBE on a kprobe or a return probe, kernel
// 4.1+) and ebpf/kprobe_multi (one link for many functions through fprobe,
// kernel 5.18+, CONFIG_FPROBE). They need CONFIG_KPROBES, and the kernel
// function each event is probed at is resolved per kernel and architecture
// (see internal/ksym).
package kprobe

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/bpf"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/ksym"
	"github.com/tracebench/tracebench/internal/mounts"
)

// Backend names.
const (
	Kprobe      = "ebpf/kprobe"
	Kretprobe   = "ebpf/kretprobe"
	KprobeMulti = "ebpf/kprobe_multi"
)

// flavour is how one backend attaches its programs.
type flavour struct {
	name, summary, prefix string
	attach                func(sym string, p *ebpf.Program) (link.Link, error)
}

var flavours = map[string]flavour{
	Kprobe: {Kprobe, "kprobes on kernel functions through eBPF", "kprobe_",
		func(sym string, p *ebpf.Program) (link.Link, error) { return link.Kprobe(sym, p, nil) }},
	Kretprobe: {Kretprobe, "return probes (kretprobe) on kernel functions through eBPF", "kprobe_",
		func(sym string, p *ebpf.Program) (link.Link, error) { return link.Kretprobe(sym, p, nil) }},
	KprobeMulti: {KprobeMulti, "kprobe_multi links (fprobe) on kernel functions through eBPF", "kmulti_",
		func(sym string, p *ebpf.Program) (link.Link, error) {
			return link.KprobeMulti(p, link.KprobeMultiOptions{Symbols: []string{sym}})
		}},
}

// New returns the backend called name (one of the constants above).
func New(name string) func() backends.Backend {
	f := flavours[name]
	return func() backends.Backend {
		return loader.New(loader.Spec{
			Name:       f.name,
			Summary:    f.summary,
			Load:       bpf.LoadKprobe,
			Candidates: ksym.FunctionsByEvent(),
			Resolve:    f.resolve,
		})
	}
}

func (f flavour) resolve(ev event.Event, _ backends.Setup) (loader.Hook, error) {
	if err := Available(); err != nil {
		return loader.Hook{}, err
	}
	sym, err := ksym.FirstText(ksym.Functions(ev))
	if err != nil {
		return loader.Hook{}, backends.Unsupportedf(backends.MissingSymbol, "%s: %v", ev, err)
	}
	return loader.Hook{
		Event:      ev,
		Program:    f.prefix + ev.String(),
		ProbePoint: sym,
		Attach:     func(p *ebpf.Program) (io.Closer, error) { return f.attach(sym, p) },
	}, nil
}

// Available says whether the kernel can create kprobes at all: through the
// perf kprobe PMU (4.17+) or tracefs kprobe_events (CONFIG_KPROBE_EVENTS).
func Available() error {
	if _, err := os.Stat("/sys/bus/event_source/devices/kprobe/type"); err == nil {
		return nil
	}
	if tfs, _ := mounts.Find("tracefs"); tfs != "" {
		if _, err := os.Stat(filepath.Join(tfs, "kprobe_events")); err == nil {
			return nil
		}
	}
	return backends.Unsupportedf(backends.MissingConfig, "%s", fmt.Sprint("the kernel has no kprobes (CONFIG_KPROBES / CONFIG_KPROBE_EVENTS unset): no perf kprobe PMU and no kprobe_events in tracefs"))
}
