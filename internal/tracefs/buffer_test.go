package tracefs

import (
	"errors"
	"fmt"
	"maps"
	"testing"

	"golang.org/x/sys/unix"
)

// With a tiny buffer and no reader, the writer overwrites whole pages: the
// kernel counts every event it accepted exactly once, in Entries (still in
// the buffer) or Overrun (overwritten), and the first page read after the
// loss is flagged. sys_exit_getppid records take 28 bytes, so a 4080-byte
// page keeps 20 bytes free, where the kernel stores the count of events
// missed.
func TestTinyBufferOverruns(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	id := eventID(t, fs, getppidExitEvent)
	if err := in.SetBufferSizeKB(1); err != nil {
		t.Fatal(err)
	}
	kb, err := in.BufferSizeKB()
	if err != nil || kb == 0 || kb > 16 {
		t.Fatalf("buffer_size_kb = %d, %v; want a few KiB", kb, err)
	}

	const n = 20000
	work := startHelper(t, fmt.Sprintf("getppid %d", n))
	// All events on one CPU, so that one flagged page carries all the loss.
	var cpu0 unix.CPUSet
	cpu0.Set(0)
	if err := unix.SchedSetaffinity(work.pid(), &cpu0); err != nil {
		t.Fatal(err)
	}
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.EnableEvent(getppidExitEvent); err != nil {
		t.Fatal(err)
	}
	work.run()
	if err := in.DisableEvent(getppidExitEvent); err != nil {
		t.Fatal(err)
	}

	st, err := in.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("buffer %d KiB: %+v", kb, st)
	if st.Overrun == 0 || st.Entries+st.Overrun != n || st.DroppedEvents != 0 || st.CommitOverrun != 0 {
		t.Errorf("stats %+v: want overrun > 0 and entries + overrun = %d", st, n)
	}
	counts, _, tot := drain(t, in)
	if want := (Counter{id: st.Entries}); !maps.Equal(counts, want) {
		t.Errorf("records by event id = %v, want %v", counts, want)
	}
	if tot.MissedPages != 1 || tot.Missed != st.Overrun {
		t.Errorf("read totals %+v: want one page flagged with %d missed events", tot, st.Overrun)
	}
}

// With overwrite off, a full buffer refuses new events: they are counted as
// dropped and the oldest are kept.
func TestFullBufferDrops(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	id := eventID(t, fs, getppidEvent)
	if err := in.SetBufferSizeKB(1); err != nil {
		t.Fatal(err)
	}
	if err := in.SetOption("overwrite", false); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	work := startHelper(t, fmt.Sprintf("getppid %d", n))
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.EnableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	work.run()
	if err := in.DisableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	st, err := in.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	if st.DroppedEvents == 0 || st.Entries+st.DroppedEvents != n || st.Overrun != 0 {
		t.Errorf("stats %+v: want dropped > 0 and entries + dropped = %d", st, n)
	}
	counts, _, tot := drain(t, in)
	if want := (Counter{id: st.Entries}); !maps.Equal(counts, want) {
		t.Errorf("records by event id = %v, want %v", counts, want)
	}
	t.Logf("read %+v", tot)
}

// Since Linux 6.8 an instance's ring buffer pages ("sub-buffers") can be
// larger than a memory page (buffer_subbuf_size_kb); header_page then
// describes the larger page, and the reader reads and decodes whole ones.
func TestLargeSubBuffers(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	if !exists(in.path("buffer_subbuf_size_kb")) {
		t.Skip("kernel before 6.8: no buffer_subbuf_size_kb")
	}
	err := writeFile(in.path("buffer_subbuf_size_kb"), "16")
	if errors.Is(err, ClassPermission) {
		// Seen on this project's host after a day of other sessions'
		// tracing (cause not found): the kernel refused even root.
		t.Skipf("the kernel refuses to change the sub-buffer size: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	l, err := in.PageLayout()
	if err != nil || l.Size != 16384 {
		t.Fatalf("layout %+v, %v; want 16 KiB pages", l, err)
	}
	id := eventID(t, fs, getppidEvent)
	const n = 3000
	work := startHelper(t, fmt.Sprintf("getppid %d", n))
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.EnableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	work.run()
	if err := in.DisableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	counts, _, tot := drain(t, in)
	// 20-byte records: 4 KiB pages would take at least n*20/4080 reads.
	if !maps.Equal(counts, Counter{id: n}) || tot.Pages >= n*20/4080 {
		t.Errorf("records %v in %d pages, want %d of id %d in 16 KiB pages", counts, tot.Pages, n, id)
	}
}
