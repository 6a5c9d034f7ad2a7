package perfevent

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ring reads one event's mmap'd ring buffer: a metadata page (struct
// perf_event_mmap_page) followed by 2^n data pages holding records back to
// back, wrapping at the end.
//
// The kernel writes records, then publishes data_head (smp_wmb before the
// store); the reader loads data_head with acquire ordering, reads the
// records, and publishes data_tail with release ordering so the kernel
// never overwrites a record being read (it drops and counts new records in
// PERF_RECORD_LOST instead). sync/atomic gives both orderings on the
// mmap'd fields (LDAR/STLR on arm64; plain moves suffice on amd64).
type ring struct {
	meta    *unix.PerfEventMmapPage
	data    []byte
	scratch []byte // reassembles records that wrap around the end
}

// newRing reads the layout of a mapping of 1+2^n pages.
func newRing(mem []byte, pageSize int) (*ring, error) {
	if len(mem) < 2*pageSize {
		return nil, fmt.Errorf("ring buffer mapping of %d bytes: need a metadata page and a data page", len(mem))
	}
	meta := (*unix.PerfEventMmapPage)(unsafe.Pointer(&mem[0]))
	off, size := meta.Data_offset, meta.Data_size
	if size == 0 {
		// Kernels before 4.1 leave data_offset and data_size zero.
		off, size = uint64(pageSize), uint64(len(mem)-pageSize)
	}
	if off+size > uint64(len(mem)) || size&(size-1) != 0 {
		return nil, fmt.Errorf("ring buffer data_offset %d, data_size %d do not fit a %d-byte mapping", off, size, len(mem))
	}
	return &ring{meta: meta, data: mem[off : off+size]}, nil
}

// read hands every record between data_tail and data_head to fn, in order,
// then frees their space. The slice given to fn is valid only during the
// call. If fn fails, the records up to and including the failing one are
// freed and its error returned.
func (r *ring) read(fn func(rec []byte) error) error {
	head := atomic.LoadUint64(&r.meta.Data_head)
	tail := atomic.LoadUint64(&r.meta.Data_tail)
	var err error
	for tail != head && err == nil {
		var rec []byte
		if rec, err = r.record(tail, head); err != nil {
			// A corrupt record hides where the next one starts: drop all.
			tail = head
			break
		}
		err = fn(rec)
		tail += uint64(len(rec))
	}
	atomic.StoreUint64(&r.meta.Data_tail, tail)
	return err
}

// record returns the record that starts at position tail.
func (r *ring) record(tail, head uint64) ([]byte, error) {
	avail := head - tail
	if avail < headerSize {
		return nil, fmt.Errorf("ring buffer: %d bytes at position %d, less than a record header", avail, tail)
	}
	size := uint64(binary.LittleEndian.Uint16(r.span(tail, headerSize)[6:]))
	if size < headerSize || size > avail {
		return nil, fmt.Errorf("ring buffer: record at position %d claims %d bytes, %d written", tail, size, avail)
	}
	return r.span(tail, size), nil
}

// span returns n bytes from position pos: a view of the ring when they are
// contiguous, else a copy of both pieces in the scratch buffer.
func (r *ring) span(pos, n uint64) []byte {
	size := uint64(len(r.data))
	off := pos & (size - 1)
	if off+n <= size {
		return r.data[off : off+n]
	}
	if uint64(cap(r.scratch)) < n {
		r.scratch = make([]byte, n)
	}
	buf := r.scratch[:n]
	first := copy(buf, r.data[off:])
	copy(buf[first:], r.data)
	return buf
}
