// Package frontend makes a backend of a front-end tracing tool (bpftrace,
// perf, trace-cmd): the tool is run as its users run it, from a command
// line that counts the event for the workload's processes, and its output
// is read for the count it saw and the losses it reports. Beside the
// counts it measures what the front end costs: time from launch to
// attached, CPU spent before attaching (compiling), peak memory of the
// tool and its children, and the disk footprint of its packages.
//
// Attach starts the tool and Detach stops it: one tool process per
// attachment. A front end has no detach of its own (bpftrace's probes
// live as long as the process; perf stat and trace-cmd record enable
// their events at start and print their result at exit), so restarting
// it is the only real detach, and its start-up is what each attachment
// costs a user: the harness's attach time is the tool's start-up.
// Keeping the tool running and toggling its events would measure the
// kernel side only, which the native backends (ebpf/tracepoint,
// ftrace/event) already do.
package frontend

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/tracefs"
	"github.com/tracebench/tracebench/kstate"
)

// stopTimeout is how long a tool has to print its result and exit after
// its stop signal.
const stopTimeout = 30 * time.Second

// A tool printing a line per event is stopped once no line has come for
// settleQuiet (above bpftrace's 100 ms poll interval), or after
// settleLimit whatever it prints.
const (
	settleQuiet = 250 * time.Millisecond
	settleLimit = 5 * time.Second
)

// readyTimeout bounds a tool's start-up (bpftrace compiles with LLVM).
const readyTimeout = 60 * time.Second

// Tool describes a front end.
type Tool struct {
	Name, Summary string
	// Packages are the Debian packages that install the tool.
	Packages []string
	// GuestTools are the programs to carry into guests (Traits).
	GuestTools []string
	Modes      []backends.Mode
	// Candidates lists the probe points the tool may use for an event,
	// Resolve picks the one of this kernel (or says why there is none).
	// Both default to the event's static tracepoint.
	Candidates func(ev event.Event) []string
	Resolve    func(ev event.Event) (string, error)
	// Command returns the command line observing one event at
	// s.ProbePoint.
	Command func(s Session) ([]string, error)
	// Ready recognises the line the tool prints once it observes;
	// Terminal, that the tool prints it only to a terminal (Command).
	Ready    func(line string) bool
	Terminal bool
	// Record recognises a line reporting one event, in stream mode (nil
	// when the tool prints none).
	Record func(line string) bool
	// Count reads what the tool saw and lost from its output after it
	// stopped (and from files it wrote in s.Dir); records is the number
	// of event lines it printed.
	Count func(s Session, out []string, records uint64) (seen, lost uint64, err error)
	// Changes lists kernel state the tool itself creates and may leave
	// behind if it dies (trace-cmd's instance), for Plan; Undo removes it.
	Changes func(s Session) []kstate.Change
	Undo    func(s Session) error
	// Classify gives a known failure its class, or nil.
	Classify func(s Session, err error) *backends.Unsupported
}

// Session is one event observed by one tool run.
type Session struct {
	Event  event.Event
	Mode   backends.Mode
	Filter backends.Filter
	// Name is unique per Setup and event: for the tool's kernel objects
	// and for Remaining.
	Name       string
	ProbePoint string
	// Tracefs is tracefs's mount point, Dir a directory for the tool's
	// files.
	Tracefs, Dir string
}

// New returns the backend of t.
func New(t Tool) backends.Backend {
	if t.Candidates == nil {
		t.Candidates = func(ev event.Event) []string {
			if tp, ok := backends.Tracepoints[ev]; ok {
				return []string{tp.String()}
			}
			return nil
		}
	}
	if t.Resolve == nil {
		t.Resolve = func(ev event.Event) (string, error) {
			tp, ok := backends.Tracepoints[ev]
			if !ok {
				return "", backends.Unsupportedf(backends.NotApplicable, "no tracepoint for %s", ev)
			}
			return tp.String(), nil
		}
	}
	return &Backend{tool: t}
}

// Backend runs a Tool.
type Backend struct {
	tool     Tool
	fs       *tracefs.FS
	sessions []*session
	attached bool
}

// session is one event's tool runs and what they counted.
type session struct {
	Session
	proc       *Process
	seen, lost uint64
	starts     int
	first      *Process // the first run, for its start-up figures
	peakKB     int64
	cpu        time.Duration
}

// footprints caches each package list's Footprint (or error): dpkg's
// database does not change while a plugin runs.
var footprints sync.Map

func (b *Backend) Describe(context.Context) (backends.Description, error) {
	d := backends.Description{Name: b.tool.Name, Summary: b.tool.Summary, Modes: b.tool.Modes, Traits: backends.Traits{GuestTools: b.tool.GuestTools}}
	for _, ev := range event.All {
		if c := b.tool.Candidates(ev); len(c) > 0 {
			d.Probes = append(d.Probes, backends.ProbeSpec{Event: ev, Candidates: c})
		}
	}
	return d, nil
}

// Usage is the plugin's own resource use plus that of the tool runs it
// has waited for.
func (b *Backend) Usage(context.Context) (backends.Usage, error) {
	u, err := backends.SelfUsage()
	if err != nil {
		return u, err
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err == nil {
		u.User += time.Duration(ru.Utime.Nano())
		u.System += time.Duration(ru.Stime.Nano())
		u.MaxRSSKB = max(u.MaxRSSKB, ru.Maxrss)
	}
	return u, nil
}

// Plan lists the tracefs mount, when none is mounted (the tools find
// tracepoints there), and what the tool creates itself.
func (b *Backend) Plan(_ context.Context, s backends.Setup) ([]kstate.Change, error) {
	var out []kstate.Change
	root, err := tracefs.MountPoint()
	if errors.Is(err, tracefs.ClassNotMounted) {
		root = tracefs.DefaultMountPoint
		out = append(out, kstate.Change{Kind: kstate.Mount, Path: root, Note: "tracefs"})
	} else if err != nil {
		return nil, err
	}
	if b.tool.Changes != nil {
		for _, ev := range s.Events {
			out = append(out, b.tool.Changes(b.session(s, ev, root, ""))...)
		}
	}
	return out, nil
}

func (b *Backend) session(s backends.Setup, ev event.Event, root, dir string) Session {
	tag := s.Tag
	if tag == "" {
		tag = "p" + strconv.Itoa(os.Getpid())
	}
	return Session{Event: ev, Mode: s.Mode, Filter: s.Filter, Name: tag + "_" + ev.String(), Tracefs: root, Dir: dir}
}

// Setup checks the request, mounts tracefs if needed and makes each
// event's command line; nothing runs until Attach.
func (b *Backend) Setup(_ context.Context, s backends.Setup) (backends.SetupResult, error) {
	start := time.Now()
	res := backends.SetupResult{ProbePoints: map[event.Event]string{}, Facts: map[string]string{"attach": "restart"}}
	if b.fs != nil {
		return res, errors.New("setup called twice")
	}
	if !slices.Contains(b.tool.Modes, s.Mode) {
		return res, backends.Unsupportedf(backends.NotApplicable, "%s has no mode %q", b.tool.Name, s.Mode)
	}
	if len(s.Events) == 0 {
		return res, errors.New("setup: no events")
	}
	if s.Filter.CgroupPath == "" || s.Filter.PID <= 0 {
		return res, fmt.Errorf("setup: %s needs the workload's cgroup path and pid (Filter.CgroupPath, Filter.PID)", b.tool.Name)
	}
	mountOK := func(c tracefs.Change) error {
		if c.Kind == tracefs.ChangeMount {
			return nil // listed by Plan whenever tracefs is not mounted
		}
		return fmt.Errorf("unplanned kernel change: tracefs %s %s", c.Kind, c.Path)
	}
	fs, err := tracefs.Open(mountOK)
	if err != nil {
		return res, backends.Unsupportedf(backends.MissingConfig, "%v", err)
	}
	b.fs = fs
	for _, ev := range s.Events {
		point, err := b.tool.Resolve(ev)
		if err != nil {
			b.Teardown(context.Background())
			return res, err
		}
		dir, err := os.MkdirTemp("", "tracebench-frontend-")
		if err != nil {
			b.Teardown(context.Background())
			return res, err
		}
		sess := b.session(s, ev, fs.Root(), dir)
		sess.ProbePoint = point
		b.sessions = append(b.sessions, &session{Session: sess})
		res.ProbePoints[ev] = point
	}
	if fp, err := b.footprint(); err == nil {
		res.Facts["footprint_kb"] = strconv.FormatInt(fp.KB, 10)
		res.Facts["footprint_packages"] = strconv.Itoa(len(fp.Packages))
	} else {
		res.Facts["footprint_error"] = err.Error()
	}
	res.Duration = time.Since(start)
	return res, nil
}

// footprint measures the tool's packages once per process.
func (b *Backend) footprint() (Footprint, error) {
	key := fmt.Sprint(b.tool.Packages)
	type result struct {
		fp  Footprint
		err error
	}
	if r, ok := footprints.Load(key); ok {
		return r.(result).fp, r.(result).err
	}
	fp, err := MeasureFootprint(b.tool.Packages...)
	footprints.Store(key, result{fp, err})
	return fp, err
}

// Attach starts the tool for every event and returns once each is
// observing: the time is the tools' start-up.
func (b *Backend) Attach(ctx context.Context) (time.Duration, error) {
	if b.fs == nil {
		return 0, errors.New("attach before setup")
	}
	if b.attached {
		return 0, errors.New("already attached")
	}
	start := time.Now()
	b.attached = true
	for _, s := range b.sessions {
		if err := b.start(ctx, s); err != nil {
			_, derr := b.Detach(ctx)
			return 0, errors.Join(err, derr)
		}
	}
	return time.Since(start), nil
}

func (b *Backend) start(ctx context.Context, s *session) error {
	argv, err := b.tool.Command(s.Session)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	p, err := Start(rctx, Command{Argv: argv, Marker: s.Name, Ready: b.tool.Ready, Record: b.tool.Record, Terminal: b.tool.Terminal})
	if err != nil {
		return b.classify(s.Session, err)
	}
	s.proc = p
	s.starts++
	if s.first == nil {
		s.first = p
	}
	return nil
}

// classify gives err a class: the tool's own classification first, then
// a missing tool, else failed with the tool's words.
func (b *Backend) classify(s Session, err error) error {
	if _, ok := backends.AsUnsupported(err); ok {
		return err
	}
	if b.tool.Classify != nil {
		if u := b.tool.Classify(s, err); u != nil {
			return u
		}
	}
	return backends.Unsupportedf(backends.Failed, "%v", err)
}

// Detach stops every tool (SIGINT to its process group, as Ctrl-C does)
// and reads what it counted. A tool printing a line per event is first
// let settle (Process.Settle). The time is from the signal to the tool's
// exit, its result printed.
func (b *Backend) Detach(context.Context) (time.Duration, error) {
	if !b.attached {
		return 0, nil
	}
	b.attached = false
	for _, s := range b.sessions {
		if s.proc != nil && s.Mode == backends.Stream && b.tool.Record != nil {
			s.proc.Settle(settleQuiet, settleLimit)
		}
	}
	start := time.Now()
	var errs []error
	for _, s := range b.sessions {
		errs = append(errs, b.stop(s))
	}
	return time.Since(start), errors.Join(errs...)
}

func (b *Backend) stop(s *session) error {
	if s.proc == nil {
		return nil
	}
	p := s.proc
	s.proc = nil
	out, err := p.Stop(syscall.SIGINT, stopTimeout)
	cpu, kb := p.Usage()
	s.cpu += cpu
	s.peakKB = max(s.peakKB, kb)
	if err != nil {
		return b.classify(s.Session, err)
	}
	seen, lost, err := b.tool.Count(s.Session, out, p.Records())
	if err != nil {
		return fmt.Errorf("%s: %w", b.tool.Name, err)
	}
	s.seen += seen
	s.lost += lost
	return nil
}

// Counters returns what the tool runs that have ended counted (a running
// tool prints its count only when stopped), with the front end's costs
// as facts.
func (b *Backend) Counters(context.Context) (map[event.Event]backends.Counter, error) {
	out := map[event.Event]backends.Counter{}
	for _, s := range b.sessions {
		c := backends.Counter{Seen: s.seen, Lost: s.lost, Facts: map[string]string{"tool_starts": strconv.Itoa(s.starts)}}
		if s.first != nil {
			c.Facts["startup_ns"] = strconv.FormatInt(s.first.Startup.Nanoseconds(), 10)
			c.Facts["startup_cpu_ns"] = strconv.FormatInt(s.first.StartupCPU.Nanoseconds(), 10)
		}
		if s.peakKB > 0 {
			c.Facts["peak_rss_kb"] = strconv.FormatInt(s.peakKB, 10)
			c.Facts["tool_cpu_ns"] = strconv.FormatInt(s.cpu.Nanoseconds(), 10)
		}
		out[s.Event] = c
	}
	return out, nil
}

// Teardown stops the tools, kills whatever they left running, undoes what
// they left in the kernel and unmounts tracefs if Setup mounted it.
func (b *Backend) Teardown(ctx context.Context) error {
	if b.fs == nil {
		return nil
	}
	_, err := b.Detach(ctx)
	errs := []error{err}
	for _, s := range b.sessions {
		for _, pid := range Remaining(s.Name) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if b.tool.Undo != nil {
			errs = append(errs, b.tool.Undo(s.Session))
		}
		errs = append(errs, os.RemoveAll(s.Dir))
	}
	errs = append(errs, b.fs.Unmount())
	b.fs, b.sessions = nil, nil
	return errors.Join(errs...)
}
