// Package loader is what every eBPF backend shares: it loads one of
// tracebench's eBPF collections (package bpf) with the cell's filter and
// mode, attaches one program per event, reads the in-kernel counters and,
// in stream mode, the ring buffer. A backend package only says which
// program observes which event and how it is attached.
package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/kstate"
)

// Hook is how one event is observed: which program, attached how, at which
// probe point of this kernel.
type Hook struct {
	Event      event.Event
	Program    string // name of the program in the collection
	ProbePoint string // what the program is attached to, e.g. "syscalls:sys_enter_openat"
	// AttachTo, when set, replaces the program's load-time attach target
	// (the kernel function of an fentry or fexit program).
	AttachTo string
	// Attach attaches the loaded program and returns what detaches it: a
	// link.Link, or several (a program on a perf event of every CPU).
	// Hooks of several events that share a program and a probe point (a
	// raw sys_enter hook) are attached once.
	Attach func(*ebpf.Program) (io.Closer, error)
	// Account, when set, adds to the event's counter what the hook itself
	// measured: a sampling hook's expected samples, losses and facts.
	Account func(*backends.Counter)
}

// Spec describes an eBPF backend to the loader.
type Spec struct {
	Name    string
	Summary string
	// Load returns the collection spec, from the objects bpf2go generated.
	Load func() (*ebpf.CollectionSpec, error)
	// Candidates lists, per event, the probe points the backend tries.
	Candidates map[event.Event][]string
	// Resolve picks the hook of ev for the cell s on the running kernel,
	// or says why there is none (an *backends.Unsupported). A probe's s
	// has no filter.
	Resolve func(ev event.Event, s backends.Setup) (Hook, error)
}

// Options the loader understands (Setup.Options and ProbeRequest.Options).
const (
	// OptRingSize is the ring buffer size in bytes for stream mode (a
	// power of two and a multiple of the page size; default 4 MiB).
	OptRingSize = "ringbuf_size"
	// OptWakeupBatch is how many records a CPU submits per reader wake-up.
	OptWakeupBatch = "wakeup_batch"
	// OptBTF is an external kernel BTF file for CO-RE relocations, for
	// kernels without /sys/kernel/btf/vmlinux.
	OptBTF = "btf"
	// OptBTFSource says where the external BTF came from, for the
	// btf_source fact (see BTFSource); OptBTFFullSize is the size of
	// the full BTF a minimized file was cut from.
	OptBTFSource   = "btf_source"
	OptBTFFullSize = "btf_full_size"
)

// kernelTypes caches the running kernel's BTF for the plugin process:
// decoding it takes seconds under emulation, and a probe loads a
// collection per event and mode.
var kernelTypes = btf.NewCache()

// KernelTypes returns the running kernel's BTF, decoded once per process.
func KernelTypes() (*btf.Spec, error) { return kernelTypes.Kernel() }

// New returns a backends.Backend for spec.
func New(spec Spec) backends.Backend { return &Backend{spec: spec} }

// Backend implements backends.Backend for one eBPF collection.
type Backend struct {
	spec   Spec
	coll   *ebpf.Collection
	hooks  []Hook
	links  []io.Closer
	stream *streamReader
	// cs and progOpts are what coll was loaded from, kept to load a
	// program again (reattach.go); linked names the programs that have
	// been attached at least once.
	cs       *ebpf.CollectionSpec
	progOpts ebpf.ProgramOptions
	linked   map[string]bool
}

func (b *Backend) Describe(context.Context) (backends.Description, error) {
	d := backends.Description{Name: b.spec.Name, Summary: b.spec.Summary, Modes: []backends.Mode{backends.Count, backends.Stream}}
	for _, ev := range event.All {
		if c, ok := b.spec.Candidates[ev]; ok {
			d.Probes = append(d.Probes, backends.ProbeSpec{Event: ev, Candidates: c})
		}
	}
	return d, nil
}

// Probe loads and attaches, for real, each event's program in each mode
// with a filter that matches no process, and classifies what fails. The
// kernel's own answer is the only reliable feature test (feature probes
// disagree with real loads on some kernels, see ENVIRONMENT.md).
func (b *Backend) Probe(ctx context.Context, req backends.ProbeRequest) ([]backends.Support, error) {
	var out []backends.Support
	for _, mode := range req.Modes {
		for _, ev := range req.Events {
			s := backends.Support{Event: ev, Mode: mode}
			if mode != backends.Count && mode != backends.Stream {
				s.Reason = backends.Unsupportedf(backends.NotApplicable, "%s has no mode %q", b.spec.Name, mode)
				out = append(out, s)
				continue
			}
			trial := &Backend{spec: b.spec}
			res, err := trial.Setup(ctx, backends.Setup{Events: []event.Event{ev}, Mode: mode, Options: req.Options})
			if err == nil {
				_, err = trial.Attach(ctx)
			}
			trial.Teardown(ctx)
			if err != nil {
				s.Reason = Classify(err)
			} else {
				s.ProbePoint = res.ProbePoints[ev]
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// Plan: BPF programs, maps and links live as long as their file
// descriptors, which die with the plugin process; nothing is pinned, so
// nothing outlives a crash and there is nothing to journal.
func (b *Backend) Plan(context.Context, backends.Setup) ([]kstate.Change, error) {
	return nil, nil
}

func (b *Backend) Setup(ctx context.Context, s backends.Setup) (backends.SetupResult, error) {
	if b.coll != nil {
		return backends.SetupResult{}, errors.New("setup called twice")
	}
	start := time.Now()
	// Before 5.11 the kernel charges BPF maps to RLIMIT_MEMLOCK (64 KiB by
	// default: less than a ring buffer); later kernels use memcg and
	// RemoveMemlock does nothing. The limit is this plugin process's own.
	if err := rlimit.RemoveMemlock(); err != nil {
		return backends.SetupResult{}, fmt.Errorf("raise RLIMIT_MEMLOCK for BPF maps (kernels before 5.11): %w", err)
	}
	cs, err := b.spec.Load()
	if err != nil {
		return backends.SetupResult{}, fmt.Errorf("load collection spec: %w", err)
	}
	res := backends.SetupResult{ProbePoints: map[event.Event]string{}, Facts: map[string]string{}}
	keep := map[string]bool{}
	for _, ev := range s.Events {
		h, err := b.spec.Resolve(ev, s)
		if err != nil {
			return res, fmt.Errorf("%s: %w", ev, err)
		}
		b.hooks = append(b.hooks, h)
		keep[h.Program] = true
		res.ProbePoints[ev] = h.ProbePoint
	}
	for name := range cs.Programs {
		if !keep[name] {
			delete(cs.Programs, name)
		}
	}
	for _, h := range b.hooks {
		if h.AttachTo != "" {
			cs.Programs[h.Program].AttachTo = h.AttachTo
		}
	}
	if err := configure(cs, s); err != nil {
		return res, err
	}
	if err := needKernelBTF(cs); err != nil {
		return res, err
	}
	opts := ebpf.CollectionOptions{Cache: kernelTypes}
	kt, err := kernelTypesFor(s.Options, res.Facts)
	if err != nil {
		return res, err
	}
	opts.Programs.KernelTypes = kt
	res.Facts["core_relocations"] = fmt.Sprint(coreRelocations(cs))
	coll, err := ebpf.NewCollectionWithOptions(cs, opts)
	if err != nil {
		return res, noKernelBTF(fmt.Errorf("load %s: %w", b.spec.Name, err), kt)
	}
	b.coll, b.cs, b.progOpts = coll, cs, opts.Programs
	if s.Mode == backends.Stream {
		b.stream, err = newStreamReader(coll.Maps["records"], groundTruth(s.Filter.PID))
		if err != nil {
			return res, err
		}
	}
	res.Duration = time.Since(start)
	return res, nil
}

// configure sets the collection's constants and the ring buffer size.
func configure(cs *ebpf.CollectionSpec, s backends.Setup) error {
	set := func(name string, v any) error {
		vs, ok := cs.Variables[name]
		if !ok {
			return fmt.Errorf("collection has no variable %s", name)
		}
		return vs.Set(v)
	}
	if err := set("filter_cgroup_id", s.Filter.CgroupID); err != nil {
		return err
	}
	stream := uint32(0)
	if s.Mode == backends.Stream {
		stream = 1
	}
	if err := set("stream_mode", stream); err != nil {
		return err
	}
	var enabled uint32
	for _, ev := range s.Events {
		enabled |= 1 << ev
	}
	if err := set("enabled_events", enabled); err != nil {
		return err
	}
	if v, ok := s.Options[OptWakeupBatch]; ok {
		n, err := parseUint(OptWakeupBatch, v, 1, 1<<20)
		if err != nil {
			return err
		}
		if err := set("wakeup_batch", uint32(n)); err != nil {
			return err
		}
	}
	if v, ok := s.Options[OptRingSize]; ok {
		n, err := parseUint(OptRingSize, v, 4096, 1<<30)
		if err != nil {
			return err
		}
		if n&(n-1) != 0 {
			return fmt.Errorf("option %s=%d: not a power of two", OptRingSize, n)
		}
		cs.Maps["records"].MaxEntries = uint32(n)
	}
	if s.Mode != backends.Stream {
		// A ring buffer that is never read still costs a kernel
		// allocation; keep it minimal (one page).
		cs.Maps["records"].MaxEntries = uint32(syscall.Getpagesize())
	}
	return nil
}

func parseUint(name, v string, lo, hi uint64) (uint64, error) {
	var n uint64
	if _, err := fmt.Sscan(v, &n); err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("option %s=%q: want an integer in [%d, %d]", name, v, lo, hi)
	}
	return n, nil
}

func (b *Backend) Attach(context.Context) (time.Duration, error) {
	if b.coll == nil {
		return 0, errors.New("attach before setup")
	}
	if len(b.links) > 0 {
		return 0, errors.New("already attached")
	}
	start := time.Now()
	attached := map[[2]string]bool{}
	for _, h := range b.hooks {
		key := [2]string{h.Program, h.ProbePoint}
		if attached[key] {
			continue
		}
		attached[key] = true
		l, err := b.attach(h)
		if err != nil {
			b.closeLinks()
			return 0, fmt.Errorf("attach %s to %s: %w", h.Program, h.ProbePoint, err)
		}
		b.links = append(b.links, l)
	}
	return time.Since(start), nil
}

func (b *Backend) Detach(context.Context) (time.Duration, error) {
	start := time.Now()
	if err := b.closeLinks(); err != nil {
		return 0, err
	}
	d := time.Since(start)
	if b.stream != nil {
		if err := b.stream.drain(); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (b *Backend) closeLinks() error {
	var errs []error
	for _, l := range b.links {
		errs = append(errs, l.Close())
	}
	b.links = nil
	return errors.Join(errs...)
}

func (b *Backend) Counters(context.Context) (map[event.Event]backends.Counter, error) {
	if b.coll == nil {
		return nil, errors.New("counters before setup")
	}
	out := map[event.Event]backends.Counter{}
	for _, h := range b.hooks {
		var per []struct{ Seen, Lost uint64 }
		if err := b.coll.Maps["counters"].Lookup(uint32(h.Event), &per); err != nil {
			return nil, fmt.Errorf("read counters of %s: %w", h.Event, err)
		}
		var c backends.Counter
		for _, p := range per {
			c.Seen += p.Seen
			c.Lost += p.Lost
		}
		if b.stream != nil {
			c.Seen = b.stream.seen(h.Event) // what user space received
			c.Invalid = b.stream.invalidCount(h.Event)
		}
		if h.Account != nil {
			h.Account(&c)
		}
		out[h.Event] = c
	}
	return out, nil
}

func (b *Backend) Teardown(context.Context) error {
	errs := []error{b.closeLinks()}
	if b.stream != nil {
		errs = append(errs, b.stream.close())
		b.stream = nil
	}
	if b.coll != nil {
		b.coll.Close()
		b.coll = nil
	}
	b.hooks = nil
	return errors.Join(errs...)
}

func (b *Backend) Usage(context.Context) (backends.Usage, error) {
	return backends.SelfUsage()
}
