package tracefs

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// InstancePrefix starts the name of every instance tracebench creates, so
// that Leftovers finds them after a crash.
const InstancePrefix = "tracebench-"

// Instance is a private trace instance (instances/<name>, Linux 3.10+): its
// own ring buffer, event enables, pid filters, tracer and options, invisible
// to the global buffer that other tools share. rmdir of the instance undoes
// everything set inside it.
type Instance struct {
	fs   *FS
	name string
	dir  string

	mu      sync.Mutex
	readers map[*Reader]struct{}
}

// NewInstance creates instances/InstancePrefix+name. It fails with
// ClassBusy if the instance exists (a leftover of a crashed run?) and with
// ClassMissingConfig on kernels without instances.
func (fs *FS) NewInstance(name string) (*Instance, error) {
	full := InstancePrefix + name
	dir := fs.path("instances", full)
	if !validName(name, "-.") {
		return nil, badInput("create instance", dir, "instance name %q: want letters, digits, '_', '-' or '.'", name)
	}
	if err := fs.announce(Change{Kind: ChangeInstance, Path: dir}); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, wrap("create instance", dir, err)
	}
	return &Instance{fs: fs, name: full, dir: dir, readers: map[*Reader]struct{}{}}, nil
}

// Name is the instance's directory name, InstancePrefix included.
func (in *Instance) Name() string { return in.name }

// Path is the instance's directory.
func (in *Instance) Path() string { return in.dir }

func (in *Instance) path(elem ...string) string {
	return in.dir + "/" + strings.Join(elem, "/")
}

// Remove closes the instance's open readers, then removes the instance,
// which disables its events and frees its buffer. The kernel refuses (EBUSY)
// while any file of the instance is open. Removing an instance that is
// already gone is not an error.
func (in *Instance) Remove() error {
	in.mu.Lock()
	readers := in.readers
	in.readers = map[*Reader]struct{}{}
	in.mu.Unlock()
	var errs []error
	for r := range readers {
		errs = append(errs, r.close())
	}
	if err := unix.Rmdir(in.dir); err != nil && !errors.Is(err, unix.ENOENT) {
		e := wrap("remove instance", in.dir, err).(*Error)
		if e.Class == ClassBusy {
			e.Detail = "a file of the instance is still open"
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// SetTracingOn switches recording into the instance's buffer on or off
// (tracing_on); events stay enabled.
func (in *Instance) SetTracingOn(on bool) error {
	return writeBool(in.path("tracing_on"), on)
}

// SetBufferSizeKB sets the ring buffer size of each CPU (buffer_size_kb);
// the kernel rounds it to whole pages.
func (in *Instance) SetBufferSizeKB(kb uint64) error {
	if kb == 0 {
		return badInput("set buffer size", in.path("buffer_size_kb"), "size 0")
	}
	return writeFile(in.path("buffer_size_kb"), strconv.FormatUint(kb, 10))
}

// BufferSizeKB is the ring buffer size of each CPU, in KiB.
func (in *Instance) BufferSizeKB() (uint64, error) {
	return readUint(in.path("buffer_size_kb"))
}

// SetClock selects the clock that timestamps events (trace_clock): "local"
// (default, per-CPU), "global", "mono", "boot", "x86-tsc"…
func (in *Instance) SetClock(name string) error {
	if !validName(name, "-") {
		return badInput("set clock", in.path("trace_clock"), "clock name %q", name)
	}
	return writeFile(in.path("trace_clock"), name)
}

// Clock is the current trace clock, the bracketed name in trace_clock.
func (in *Instance) Clock() (string, error) {
	p := in.path("trace_clock")
	b, err := readFile(p)
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(string(b), "[")
	name, _, ok2 := strings.Cut(rest, "]")
	if !ok || !ok2 {
		return "", badInput("parse", p, "no [current] clock in %q", strings.TrimSpace(string(b)))
	}
	return name, nil
}

// SetOption sets a trace option of the instance (options/<name>), e.g.
// "event-fork", "function-fork", "overwrite". An option the kernel does not
// have fails with ClassMissingConfig.
func (in *Instance) SetOption(name string, on bool) error {
	if !validName(name, "-") {
		return badInput("set option", in.path("options"), "option name %q", name)
	}
	return writeBool(in.path("options", name), on)
}

// validName reports whether s is a non-empty name of letters, digits, '_'
// and the given extra characters: safe as one tracefs path element.
func validName(s, extra string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, c := range s {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strings.ContainsRune(extra, c)
		if !ok {
			return false
		}
	}
	return true
}
