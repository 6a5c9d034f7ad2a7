// Package backends defines what a tracing backend is to tracebench: the
// interface every backend implements, the vocabulary of modes and
// unsupported reasons, and (in subpackages) the plugin protocol and the
// built-in backends, one package per framework/source.
package backends

import (
	"context"
	"time"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/kstate"
)

// Mode is how a backend delivers what it observes.
type Mode string

const (
	// Count aggregates in the kernel: only counters reach user space.
	Count Mode = "count"
	// Stream delivers every event to user space (ring buffer, trace pipe).
	Stream Mode = "stream"
)

// Backend observes the event set through one framework and data source.
// Implementations run in a plugin process; the harness drives them through
// the plugin protocol (package backends/plugin). The call order for one cell
// is Describe, Probe, Plan, Setup, Attach/Detach any number of times,
// Counters, Teardown.
type Backend interface {
	// Describe says what the backend is. It must not touch the kernel.
	Describe(ctx context.Context) (Description, error)
	// Probe reports, for each requested event and mode, whether this
	// kernel supports it, with a classified reason when it does not. It
	// may try for real, changing only what Plan lists for a Setup of the
	// same events and Tag (journaled first), and undoes it before
	// returning.
	Probe(ctx context.Context, req ProbeRequest) ([]Support, error)
	// Plan lists the kernel state changes that Setup and Attach will make.
	// It must not change anything: the harness journals the plan first.
	Plan(ctx context.Context, s Setup) ([]kstate.Change, error)
	// Setup prepares observation (loads programs, creates instances)
	// without attaching.
	Setup(ctx context.Context, s Setup) (SetupResult, error)
	// Attach starts observing and returns how long attaching took.
	Attach(ctx context.Context) (time.Duration, error)
	// Detach stops observing and returns how long detaching took. In
	// stream mode it first drains, into its counters, every event the
	// kernel already produced.
	Detach(ctx context.Context) (time.Duration, error)
	// Counters returns what was seen and lost per event since Setup.
	Counters(ctx context.Context) (map[event.Event]Counter, error)
	// Teardown undoes Setup; Detach is implied.
	Teardown(ctx context.Context) error
	// Usage reports the backend process's own CPU time and memory.
	Usage(ctx context.Context) (Usage, error)
}

// Description is what Describe returns.
type Description struct {
	Name    string // framework/source
	Summary string
	Modes   []Mode
	Probes  []ProbeSpec
	Traits  Traits
}

// Traits are what the harness must know of a backend before it measures
// it, beyond its probe points.
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
	// An external plugin needs none: in a guest it runs in the host's
	// own root file system, where its tools are.
	GuestTools []string
}

// ProbeSpec is the ordered list of probe points a backend tries for an
// event; the first that the running kernel has is used.
type ProbeSpec struct {
	Event      event.Event
	Candidates []string
}

// ProbeRequest asks which (event, mode) pairs this kernel supports.
type ProbeRequest struct {
	Events  []event.Event
	Modes   []Mode
	Options map[string]string
	Tag     string
}

// Support is the answer for one (event, mode).
type Support struct {
	Event      event.Event
	Mode       Mode
	ProbePoint string       // resolved on this kernel, when supported
	Reason     *Unsupported // nil when supported
}

// Filter restricts observation to the workload's process tree. A backend
// uses whichever field its framework can filter on.
type Filter struct {
	CgroupID   uint64 // cgroup v2 id of the workload's own cgroup
	CgroupPath string // that cgroup's directory
	PID        int    // the workload's root process
	LoginUID   uint32 // audit login uid the workload set (children inherit it)
}

// Setup describes one cell's observation.
type Setup struct {
	Events  []event.Event
	Mode    Mode
	Filter  Filter
	Options map[string]string
	// Tag is unique per cell; backends name kernel objects with it.
	Tag string
}

// SetupResult is what Setup reports.
type SetupResult struct {
	Duration    time.Duration
	ProbePoints map[event.Event]string
	Facts       map[string]string
}

// Counter is what a backend saw and lost of one event.
type Counter struct {
	Seen uint64
	Lost uint64
	// Invalid counts events seen with values that contradict ground truth
	// (e.g. a pid read through CO-RE with the wrong kernel types): proof
	// that data was wrong rather than missing.
	Invalid uint64
	// Sampling says that Seen and Lost count samples, not events: a
	// sampling backend sees a share of the workload's time, not each
	// event. Its coverage is then reconciled with Expected, the samples
	// its frequency and the workload's CPU time call for, rather than with
	// the events the workload produced.
	Sampling bool
	Expected uint64
	// Totals are quantities the backend measured beside its counts, that
	// add up since Setup like them (hardware counter values, samples
	// received); the harness records their growth over the coverage run
	// among the cell's facts.
	Totals map[string]uint64
	// Facts describe what the backend measured with (the sampled event,
	// counters the PMU multiplexed); the harness adds the last ones it
	// reads to the cell's facts.
	Facts map[string]string
}

// Usage is a backend process's own resource use.
type Usage struct {
	User, System time.Duration
	MaxRSSKB     int64
}
