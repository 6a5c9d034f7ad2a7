package tracefs

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Open announces the mount it makes, and only that; a second Open finds
// the mount.
func TestOpenAnnouncesMount(t *testing.T) {
	fs := needFS(t)
	mounts := slices.DeleteFunc(slices.Clone(announced), func(c Change) bool { return c.Kind != ChangeMount })
	if fs.Mounted() != (len(mounts) == 1) || (fs.Mounted() && mounts[0] != Change{Kind: ChangeMount, Path: DefaultMountPoint}) {
		t.Errorf("mounted %v, announced %v", fs.Mounted(), mounts)
	}
	again, err := Open(func(c Change) error { return fmt.Errorf("unexpected change %v", c) })
	if err != nil || again.Root() != fs.Root() || again.Mounted() {
		t.Errorf("second Open: %+v, %v", again, err)
	}
	if err := again.Unmount(); err != nil {
		t.Errorf("Unmount of a mount Open did not make: %v", err)
	}
}

func TestInstanceSettings(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	if !strings.HasPrefix(in.Name(), InstancePrefix) || !slices.Contains(announced, Change{Kind: ChangeInstance, Path: in.Path()}) {
		t.Errorf("instance %s at %s not announced: %v", in.Name(), in.Path(), announced)
	}
	if _, err := fs.NewInstance(strings.TrimPrefix(in.Name(), InstancePrefix)); !errors.Is(err, ClassBusy) {
		t.Errorf("creating it again: %v, want %s", err, ClassBusy)
	}
	if _, err := fs.NewInstance("../escape"); !errors.Is(err, ClassBadInput) {
		t.Errorf("bad name: %v, want %s", err, ClassBadInput)
	}

	if err := in.SetBufferSizeKB(64); err != nil {
		t.Fatal(err)
	}
	// The kernel rounds up to whole pages of 4080 bytes of data.
	if kb, err := in.BufferSizeKB(); kb < 64 || kb > 68 || err != nil {
		t.Errorf("buffer_size_kb = %d, %v; want 64 rounded up to pages", kb, err)
	}
	if err := in.SetBufferSizeKB(0); !errors.Is(err, ClassBadInput) {
		t.Errorf("size 0: %v, want %s", err, ClassBadInput)
	}

	if c, err := in.Clock(); c != "local" || err != nil {
		t.Errorf("default clock %q, %v; want local", c, err)
	}
	if err := in.SetClock("mono"); err != nil {
		t.Fatal(err)
	}
	if c, err := in.Clock(); c != "mono" || err != nil {
		t.Errorf("clock %q, %v; want mono", c, err)
	}
	if err := in.SetClock("sundial"); !errors.Is(err, ClassBadInput) || !errors.Is(err, unix.EINVAL) {
		t.Errorf("unknown clock: %v, want %s (EINVAL)", err, ClassBadInput)
	}

	if err := in.SetOption("no-such-option", true); !errors.Is(err, ClassMissingConfig) {
		t.Errorf("unknown option: %v, want %s", err, ClassMissingConfig)
	}
	if err := in.SetTracingOn(false); err != nil {
		t.Fatal(err)
	}
	if v, err := readUint(in.path("tracing_on")); v != 0 || err != nil {
		t.Errorf("tracing_on = %d, %v", v, err)
	}
	if v, err := readUint(fs.path("tracing_on")); v != 1 || err != nil {
		t.Errorf("global tracing_on = %d, %v; the instance's switch must not touch it", v, err)
	}
}

// Remove succeeds with events enabled and a reader open (it closes the
// reader), fails with ClassBusy while another file of the instance is open,
// and is idempotent.
func TestInstanceRemove(t *testing.T) {
	fs := needFS(t)
	in, err := fs.NewInstance(tagged("remove"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Remove()
	if err := in.EnableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	r, err := in.OpenReader()
	if err != nil {
		t.Fatal(err)
	}
	trace, err := os.Open(in.path("trace"))
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Remove(); !errors.Is(err, ClassBusy) {
		t.Errorf("Remove with trace open: %v, want %s", err, ClassBusy)
	}
	trace.Close()
	if err := in.Remove(); err != nil {
		t.Fatal(err)
	}
	if exists(in.Path()) {
		t.Errorf("%s still exists", in.Path())
	}
	if err := r.Close(); err != nil {
		t.Errorf("closing a reader Remove closed: %v", err)
	}
	if err := in.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
}

// An event filter on common_pid selects the workload's records as the pid
// list does; a filter the kernel cannot parse is bad input, with the
// kernel's reason.
func TestEventFilter(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	id := eventID(t, fs, getppidEvent)
	const n = 2000
	work := startHelper(t, fmt.Sprintf("getppid %d", n))
	noise := startHelper(t, "getppid 1000")
	expr := fmt.Sprintf("common_pid == %d", work.pid())
	if err := in.SetEventFilter(getppidEvent, expr); err != nil {
		t.Fatal(err)
	}
	if got, err := in.EventFilter(getppidEvent); got != expr || err != nil {
		t.Errorf("filter %q, %v; want %q", got, err, expr)
	}
	if err := in.EnableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	noise.release()
	work.run()
	noise.wait()
	if err := in.DisableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	if st, err := in.Stats(); st.Entries != n || err != nil {
		t.Errorf("stats %+v, %v; want %d entries", st, err, n)
	}
	if counts, _, tot := drain(t, in); counts[id] != n || len(counts) != 1 || tot.Discarded != 0 {
		t.Errorf("records %v (%+v), want %d of id %d", counts, tot, n, id)
	}

	err := in.SetEventFilter(getppidEvent, "common_pid === 1")
	var e *Error
	if !errors.As(err, &e) || e.Class != ClassBadInput || !strings.HasPrefix(e.Detail, "kernel: ") {
		t.Errorf("bad filter: %v, want %s with the kernel's reason", err, ClassBadInput)
	}
	if err := in.SetEventFilter(getppidEvent, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := in.EventFilter(getppidEvent); got != "" || err != nil {
		t.Errorf("filter after clearing: %q, %v", got, err)
	}
}

func TestMissingEvent(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	nosuch := Event{Group: "syscalls", Name: "sys_enter_nosuchcall"}
	if err := in.EnableEvent(nosuch); !errors.Is(err, ClassMissingSymbol) || !errors.Is(err, unix.ENOENT) {
		t.Errorf("enable: %v, want %s", err, ClassMissingSymbol)
	}
	if _, err := fs.EventID(nosuch); !errors.Is(err, ClassMissingSymbol) {
		t.Errorf("id: %v, want %s", err, ClassMissingSymbol)
	}
	if _, err := fs.EventFormat(nosuch); !errors.Is(err, ClassMissingSymbol) {
		t.Errorf("format: %v, want %s", err, ClassMissingSymbol)
	}
	if err := in.EnableEvent(Event{Group: "..", Name: "enable"}); !errors.Is(err, ClassBadInput) {
		t.Errorf("path escape: %v, want %s", err, ClassBadInput)
	}
}

// A reader streaming while the workload runs into a small buffer accounts
// for every event: read, or overwritten and counted by the kernel (and
// reported on the flagged pages).
func TestStreamingAccountsForEveryEvent(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	id := eventID(t, fs, getppidExitEvent)
	if err := in.SetBufferSizeKB(16); err != nil {
		t.Fatal(err)
	}
	const n = 300000
	work := startHelper(t, fmt.Sprintf("getppid %d", n))
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.EnableEvent(getppidExitEvent); err != nil {
		t.Fatal(err)
	}
	r, err := in.OpenReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan struct{})
	go func() { work.wait(); close(done) }()
	work.release()
	counts := Counter{}
	var tot ReadTotals
	read := func() {
		t.Helper()
		got, err := r.Drain(counts.Add)
		if err != nil {
			t.Fatal(err)
		}
		tot.Add(got)
	}
	for streaming := true; streaming; {
		select {
		case <-done:
			streaming = false
		default:
			if err := r.Wait(10 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			read()
		}
	}
	if err := in.DisableEvent(getppidExitEvent); err != nil {
		t.Fatal(err)
	}
	read()
	st, err := in.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %+v; stats %+v", tot, st)
	if counts[id]+st.Overrun != n || len(counts) != 1 || st.Entries != 0 || st.ReadEvents != counts[id] {
		t.Errorf("read %v, stats %+v: want read + overrun = %d", counts, st, n)
	}
	if tot.Missed != st.Overrun || (tot.MissedPages == 0) != (st.Overrun == 0) {
		t.Errorf("flagged pages %d report %d missed, stats %d", tot.MissedPages, tot.Missed, st.Overrun)
	}
}
