package perfevent

import (
	"bytes"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fakeRing is memory laid out like a perf mmap (metadata page, data pages)
// with a writer that behaves like the kernel's: copy the record in, wrapping
// at the end, then publish data_head; refuse to overwrite unread data.
type fakeRing struct {
	mem       []byte
	meta      *unix.PerfEventMmapPage
	data      []byte
	straddled int // records written across the end of the data area
}

func newFakeRing(t *testing.T, dataPages int) (*fakeRing, *ring) {
	t.Helper()
	ps := os.Getpagesize()
	f := &fakeRing{mem: make([]byte, (1+dataPages)*ps)}
	f.meta = (*unix.PerfEventMmapPage)(unsafe.Pointer(&f.mem[0]))
	f.meta.Data_offset, f.meta.Data_size = uint64(ps), uint64(dataPages*ps)
	f.data = f.mem[ps:]
	r, err := newRing(f.mem, ps)
	if err != nil {
		t.Fatal(err)
	}
	return f, r
}

func (f *fakeRing) write(rec []byte) bool {
	head, tail := atomic.LoadUint64(&f.meta.Data_head), atomic.LoadUint64(&f.meta.Data_tail)
	size := uint64(len(f.data))
	if head-tail+uint64(len(rec)) > size {
		return false
	}
	off := head % size
	if off+uint64(len(rec)) > size {
		f.straddled++
	}
	for i, b := range rec {
		f.data[(off+uint64(i))%size] = b
	}
	atomic.StoreUint64(&f.meta.Data_head, head+uint64(len(rec)))
	return true
}

// TestRingWrapAround pushes records of varying sizes through a one-page
// ring many times over, reading in between, and checks every record comes
// out whole and in order, including those split across the end.
func TestRingWrapAround(t *testing.T) {
	f, r := newFakeRing(t, 1)
	var sent, got [][]byte
	for i := 0; len(sent) < 2000; i++ {
		// 0 to 20 branch entries: records of 56 to 536 bytes.
		s := &Sample{IP: uint64(i), Branches: BranchStack{Entries: make([]BranchEntry, i%21)}}
		for j := range s.Branches.Entries {
			s.Branches.Entries[j] = BranchEntry{From: uint64(i), To: uint64(j), Flags: BranchFlags(i * j)}
		}
		rec := encode(Layout{SampleType: SampleIP | SampleBranchStack, Branches: BranchAny}, s)
		if !f.write(rec) {
			if err := r.read(func(b []byte) error { got = append(got, bytes.Clone(b)); return nil }); err != nil {
				t.Fatal(err)
			}
			if !f.write(rec) {
				t.Fatalf("record %d of %d bytes does not fit an emptied ring", i, len(rec))
			}
		}
		sent = append(sent, rec)
	}
	if err := r.read(func(b []byte) error { got = append(got, bytes.Clone(b)); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sent) {
		t.Fatalf("read %d records, wrote %d", len(got), len(sent))
	}
	for i := range sent {
		if !bytes.Equal(got[i], sent[i]) {
			t.Fatalf("record %d differs:\n got %x\nwant %x", i, got[i], sent[i])
		}
	}
	if f.straddled < 100 {
		t.Errorf("only %d records crossed the end of the ring; the test does not exercise wrapping", f.straddled)
	}
	if tail, head := f.meta.Data_tail, f.meta.Data_head; tail != head {
		t.Errorf("data_tail %d after reading everything, data_head %d", tail, head)
	}
	t.Logf("%d records, %d bytes through a %d-byte ring, %d across its end", len(sent), f.meta.Data_head, len(f.data), f.straddled)
}

// TestRingCallbackError checks that a failing callback frees its own record
// and leaves the rest for the next read.
func TestRingCallbackError(t *testing.T) {
	f, r := newFakeRing(t, 1)
	for i := range 3 {
		f.write(rawRecord(RecordSample, 0, uint64(i)))
	}
	stop := errors.New("stop")
	n := 0
	if err := r.read(func([]byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("read = %v after %d records, want stop after 1", err, n)
	}
	if err := r.read(func([]byte) error { n++; return nil }); err != nil || n != 3 {
		t.Fatalf("second read = %v, %d records in all, want 3", err, n)
	}
}

// TestRingCorrupt checks that a record whose size runs past data_head is
// reported and everything up to data_head dropped, so reading can resume.
func TestRingCorrupt(t *testing.T) {
	f, r := newFakeRing(t, 1)
	rec := rawRecord(RecordSample, 0, 1, 2)
	rec[6] = 200 // claims 200 bytes, 24 written
	f.write(rec)
	if err := r.read(func([]byte) error { return nil }); err == nil {
		t.Fatal("read of a corrupt record succeeded")
	}
	f.write(rawRecord(RecordSample, 0, 3))
	var got []byte
	if err := r.read(func(b []byte) error { got = bytes.Clone(b); return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, rawRecord(RecordSample, 0, 3)) {
		t.Errorf("record after resync = %x", got)
	}
}
