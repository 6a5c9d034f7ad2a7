// Package perfevent is the ebpf/perf_event backend: eBPF programs of type
// BPF_PROG_TYPE_PERF_EVENT, which the kernel runs at each sample of a perf
// event — an overflow of a hardware counter, cycles by default: eBPF's way
// to the PMU. The event is sampled at a frequency on the workload's cgroup,
// one perf event per CPU, each the target of a BPF link (Linux 5.15+;
// earlier kernels only had the PERF_EVENT_IOC_SET_BPF ioctl, not used here).
//
// It is a backend of its own rather than a mode of perf/hpc because it is
// eBPF, with eBPF's delivery modes and costs: in count mode the program
// counts samples in a map, in stream mode it sends each to user space
// through a BPF ring buffer; the perf ring buffers stay empty. Like
// perf/hpc's sample mode, it sees a share of the workload's time, not each
// event: its coverage is samples seen against samples expected from the
// frequency and the time the event ran, with throttling as a loss. Options
// are those of package perf (sample_event, sample_freq); without a PMU the
// default event is unsupported (no-pmu), cpu-clock runs anywhere.
package perfevent

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/loader"
	"github.com/tracebench/tracebench/backends/perf"
	"github.com/tracebench/tracebench/bpf"
	"github.com/tracebench/tracebench/event"
	hw "github.com/tracebench/tracebench/internal/perfevent"
)

// Name is the backend's name.
const Name = "ebpf/perf_event"

// programs names each event's program in bpf/perfevent.c.
var programs = map[event.Event]string{
	event.Getppid: "pe_getppid",
	event.Openat:  "pe_openat",
	event.Exec:    "pe_exec",
	event.Connect: "pe_connect",
}

// New returns the backend.
func New() backends.Backend {
	cands := map[event.Event][]string{}
	for ev := range programs {
		cands[ev] = []string{hw.Cycles.Name + " (sampled)"}
	}
	return loader.New(loader.Spec{
		Name:       Name,
		Summary:    "eBPF programs on a sampled hardware event (BPF_PROG_TYPE_PERF_EVENT, cycles) on the workload's cgroup",
		Load:       bpf.LoadPerfEvent,
		Candidates: cands,
		Resolve:    resolve,
	})
}

func resolve(ev event.Event, s backends.Setup) (loader.Hook, error) {
	prog, ok := programs[ev]
	if !ok {
		return loader.Hook{}, backends.Unsupportedf(backends.NotApplicable, "no program for %s", ev)
	}
	sampling, err := perf.ParseSampling(s.Options, hw.Cycles)
	if err != nil {
		return loader.Hook{}, err
	}
	task, err := perf.Scope(s.Filter)
	if err != nil {
		return loader.Hook{}, err
	}
	h := &hook{sampling: sampling, task: task}
	return loader.Hook{
		Event:      ev,
		Program:    prog,
		ProbePoint: fmt.Sprintf("%s@%dHz", sampling.Event, sampling.Freq),
		Attach:     h.attach,
		Account:    h.account,
	}, nil
}

// hook is one event's sampler configuration and what its attachments saw.
type hook struct {
	sampling perf.Sampling
	task     hw.Task
	tally    perf.Tally
}

// attach opens the sampled event on every CPU, attaches prog to each with
// a BPF link, and enables them.
func (h *hook) attach(prog *ebpf.Program) (io.Closer, error) {
	// The program returns 0: nothing reaches the perf ring but throttle
	// records; one page per CPU holds them.
	s, err := perf.Open(h.sampling, h.task, perf.SessionOptions{RingPages: 1})
	if err != nil {
		return nil, perf.Unsupported(err)
	}
	a := &attachment{h: h, session: s}
	for _, fd := range s.FDs() {
		l, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("BPF link to a perf event (Linux 5.15+): %w", err)
		}
		a.links = append(a.links, l)
	}
	if err := s.Start(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// account makes the event's counter a sampling one: the samples expected,
// throttling's losses, facts. What the program saw is the loader's.
func (h *hook) account(c *backends.Counter) { h.tally.Account(c, h.sampling) }

// attachment is one attach: the sampler and its links.
type attachment struct {
	h       *hook
	session *perf.Session
	links   []link.Link
}

// Close stops sampling first, so the program runs no more, then adds what
// the session saw to the hook's tally and closes the links.
func (a *attachment) Close() error {
	t, err := a.session.Stop()
	a.h.tally.Add(t)
	errs := []error{err}
	for _, l := range a.links {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}
