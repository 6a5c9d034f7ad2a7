package perfevent

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// SamplerOptions describe a sampling event.
type SamplerOptions struct {
	Event Event
	Task
	// Exactly one of Period (a sample every Period events; for cpu-clock and
	// task-clock, every Period ns) and Frequency (samples per second of the
	// task's CPU time, the kernel adjusting the period; at most
	// kernel.perf_event_max_sample_rate) must be set.
	Period    uint64
	Frequency uint64
	// SampleType lists the fields each sample carries. SampleBranchStack is
	// implied by a non-zero Branches. Beware: for a software event with a
	// fixed Period, SamplePeriod makes the kernel sample every single event
	// with period 1 (perf_swevent_event), ignoring Period.
	SampleType SampleType
	// Branches asks for a branch stack (LBR) with each sample.
	Branches BranchFilter
	// RingPages is the data size of each ring buffer in pages, a power of
	// two; 0 means 8. Unprivileged users may lock only
	// kernel.perf_event_mlock_kb in total.
	RingPages int
	// WakeupEvents makes Wait return after this many samples; 0 means 1.
	WakeupEvents uint32
}

// Sampler is a sampling event with its ring buffers. A per-task event is
// one ring; with Inherit it is one event and one ring per online CPU, since
// the kernel refuses to mmap an inherited event that follows a task on every
// CPU (perf_mmap: EINVAL), and all of a task tree's samples on a CPU go to
// that CPU's ring, the way perf record does it. A cgroup's sampler is one
// event and one ring per online CPU too.
type Sampler struct {
	ev        Event
	layout    Layout
	rings     []*samplerRing
	wake      int  // eventfd that interrupts Wait
	lostKnown bool // read_format has PERF_FORMAT_LOST
	// cgroup and opened bound a cgroup event's times (see Totals).
	cgroup bool
	opened time.Time
}

type samplerRing struct {
	fd   int
	cpu  int // -1 for a per-task event
	mem  []byte
	ring *ring
	hup  bool // the followed tasks exited; no more records will come
}

// ErrExited is returned by Wait once every task the sampler follows has
// exited: what is left in the rings is all there will be.
var ErrExited = errors.New("perfevent: the followed tasks exited")

// ErrInterrupted is returned by Wait after Interrupt.
var ErrInterrupted = errors.New("perfevent: wait interrupted")

// attr validates the options and returns the event's attributes and the
// layout of its records.
func (o SamplerOptions) attr() (unix.PerfEventAttr, Layout, error) {
	attr := newAttr(o.Event, o.Task)
	var l Layout
	invalid := func(format string, args ...any) error {
		return &Error{Op: "open sampler", Event: o.Event.Name, Class: ErrInvalid, Err: fmt.Errorf(format, args...)}
	}
	switch {
	case (o.Period == 0) == (o.Frequency == 0):
		return attr, l, invalid("set exactly one of Period (%d) and Frequency (%d)", o.Period, o.Frequency)
	case o.RingPages < 0 || o.RingPages&(o.RingPages-1) != 0:
		return attr, l, invalid("RingPages %d is not a power of two", o.RingPages)
	case o.SampleType&SampleBranchStack != 0 && o.Branches == 0:
		return attr, l, invalid("SampleBranchStack without a branch filter; set Branches")
	}
	if o.Frequency != 0 {
		max, err := MaxSampleRate()
		if err != nil {
			return attr, l, err
		}
		if o.Frequency > uint64(max) {
			return attr, l, invalid("frequency %d Hz above kernel.perf_event_max_sample_rate=%d", o.Frequency, max)
		}
		attr.Sample = o.Frequency
		attr.Bits |= unix.PerfBitFreq
	} else {
		attr.Sample = o.Period
	}
	attr.Sample_type = uint64(o.SampleType)
	if o.Branches != 0 {
		attr.Sample_type |= uint64(SampleBranchStack)
		attr.Branch_sample_type = uint64(o.Branches)
	}
	l = Layout{SampleType: SampleType(attr.Sample_type), Branches: o.Branches, SampleIDAll: true}
	if err := l.Validate(); err != nil {
		return attr, l, err
	}
	attr.Bits |= unix.PerfBitSampleIDAll
	attr.Wakeup = max(o.WakeupEvents, 1)
	return attr, l, nil
}

// OpenSampler opens a sampling event and maps its ring buffers.
func OpenSampler(o SamplerOptions) (*Sampler, error) {
	attr, layout, err := o.attr()
	if err != nil {
		return nil, err
	}
	sc, err := openScope("open sampler", o.Event, o.Task, o.Inherit)
	if err != nil {
		return nil, err
	}
	defer sc.close()
	s := &Sampler{ev: o.Event, layout: layout, wake: -1, cgroup: o.Task.Cgroup != "", opened: time.Now()}
	if s.wake, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	pages := o.RingPages
	if pages == 0 {
		pages = 8
	}
	// PERF_FORMAT_LOST (6.0+) counts every sample dropped on a full ring;
	// older kernels refuse the unknown read_format bit with EINVAL.
	attr.Read_format = totalsFormat | unix.PERF_FORMAT_LOST
	s.lostKnown = true
	for _, p := range sc.places {
		r, err := openSamplerRing(o.Event, &attr, p, pages)
		if errors.Is(err, unix.EINVAL) && len(s.rings) == 0 && s.lostKnown {
			attr.Read_format, s.lostKnown = totalsFormat, false
			r, err = openSamplerRing(o.Event, &attr, p, pages)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
		s.rings = append(s.rings, r)
	}
	return s, nil
}

func openSamplerRing(ev Event, attr *unix.PerfEventAttr, p placement, pages int) (*samplerRing, error) {
	fd, err := open(ev, attr, p, -1)
	if err != nil {
		return nil, err
	}
	pageSize := os.Getpagesize()
	mem, err := unix.Mmap(fd, 0, (1+pages)*pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		e := &Error{Op: "mmap ring buffer", Event: ev.Name, Err: err}
		if errors.Is(err, unix.EPERM) {
			e.Class, e.Detail = ErrPermission, "locked ring buffers exceed kernel.perf_event_mlock_kb"
		}
		return nil, e
	}
	r, err := newRing(mem, pageSize)
	if err != nil {
		unix.Munmap(mem)
		unix.Close(fd)
		return nil, &Error{Op: "mmap ring buffer", Event: ev.Name, Err: err}
	}
	return &samplerRing{fd: fd, cpu: p.cpu, mem: mem, ring: r}, nil
}

// Layout is how this sampler's records are laid out.
func (s *Sampler) Layout() Layout { return s.layout }

func (s *Sampler) ioctl(name string, req uint) error {
	for _, r := range s.rings {
		if err := ioctl(r.fd, s.ev, name, req, 0); err != nil {
			return err
		}
	}
	return nil
}

// Enable starts sampling.
func (s *Sampler) Enable() error { return s.ioctl("PERF_EVENT_IOC_ENABLE", unix.PERF_EVENT_IOC_ENABLE) }

// Disable stops sampling; records already written stay readable.
func (s *Sampler) Disable() error {
	return s.ioctl("PERF_EVENT_IOC_DISABLE", unix.PERF_EVENT_IOC_DISABLE)
}

// Read decodes every record waiting in the rings and hands each to fn, ring
// by ring (so records are in time order only within one ring). It stops at
// fn's first error and returns it; that record counts as read.
func (s *Sampler) Read(fn func(Record) error) error {
	for _, r := range s.rings {
		err := r.ring.read(func(raw []byte) error {
			rec, err := s.layout.Parse(raw)
			if err != nil {
				return &Error{Op: "read ring buffer", Event: s.ev.Name, Err: err}
			}
			return fn(rec)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// FDs are the perf event file descriptors, one per ring, owned by the
// Sampler. An eBPF program of type perf_event runs on each sample once
// attached to every fd: with cilium/ebpf, link.AttachRawLink with
// ebpf.AttachPerfEvent (a BPF link, 5.15+), or before 5.15 the ioctl
// PERF_EVENT_IOC_SET_BPF with the program's fd (4.9+), which lasts until
// the fd is closed. The program's return value decides whether the sample
// is also written to the ring (non-zero) or dropped (0).
func (s *Sampler) FDs() []int {
	fds := make([]int, len(s.rings))
	for i, r := range s.rings {
		fds[i] = r.fd
	}
	return fds
}

// Close unmaps the rings and releases the events.
func (s *Sampler) Close() error {
	var errs []error
	for _, r := range s.rings {
		errs = append(errs, unix.Munmap(r.mem), unix.Close(r.fd))
	}
	s.rings = nil
	if s.wake >= 0 {
		errs = append(errs, unix.Close(s.wake))
		s.wake = -1
	}
	return errors.Join(errs...)
}
