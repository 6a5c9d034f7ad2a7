package tracefs

import (
	"errors"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Reader consumes an instance's ring buffers through per_cpu/cpuN/trace_pipe_raw,
// a whole page (the layout's Size) per read(2), and decodes the pages.
// Reading consumes: what a Reader reads is gone from the buffer and counted
// in Stats.ReadEvents. A Reader is not safe for concurrent use.
type Reader struct {
	in     *Instance
	layout PageLayout
	pipes  []pipe
	page   []byte
	// maxPages bounds the pages read from one CPU per Drain, so a
	// producer faster than the reader cannot keep Drain looping forever.
	maxPages int
}

type pipe struct {
	cpu  int
	fd   int
	path string
}

// ReadTotals sums what Drain read.
type ReadTotals struct {
	Pages, Records, Discarded uint64
	// MissedPages counts pages flagged with missed events; Missed sums the
	// counts the kernel stored on them (not every flagged page has room
	// for one: compare with Stats.Lost for the exact number).
	MissedPages, Missed uint64
}

// Add accumulates the totals of another Drain.
func (t *ReadTotals) Add(o ReadTotals) {
	t.Pages += o.Pages
	t.Records += o.Records
	t.Discarded += o.Discarded
	t.MissedPages += o.MissedPages
	t.Missed += o.Missed
}

// add accumulates a decoded page into the totals.
func (t *ReadTotals) add(p PageInfo) {
	t.Pages++
	t.Records += uint64(p.Records)
	t.Discarded += uint64(p.Discarded)
	if p.Missed {
		t.MissedPages++
		t.Missed += p.MissedCount
	}
}

// OpenReader opens the instance's per-CPU raw pipes, non-blocking. Remove
// closes the instance's readers.
func (in *Instance) OpenReader() (*Reader, error) {
	layout, err := in.PageLayout()
	if err != nil {
		return nil, err
	}
	kb, err := in.BufferSizeKB()
	if err != nil {
		return nil, err
	}
	cpus, err := in.cpus()
	if err != nil {
		return nil, err
	}
	r := &Reader{in: in, layout: layout, page: make([]byte, layout.Size), maxPages: int(kb*1024)/layout.Size + 2}
	for _, cpu := range cpus {
		p := in.path("per_cpu", "cpu"+strconv.Itoa(cpu), "trace_pipe_raw")
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			r.close()
			return nil, wrap("open", p, err)
		}
		r.pipes = append(r.pipes, pipe{cpu: cpu, fd: fd, path: p})
	}
	in.mu.Lock()
	in.readers[r] = struct{}{}
	in.mu.Unlock()
	return r, nil
}

// Drain reads every CPU's buffer until it is empty, calling fn for each
// record. Once the traced events are disabled, one Drain empties the
// buffers for good; while they are enabled it reads at most a buffer's worth
// of pages per CPU and returns, to be called again.
func (r *Reader) Drain(fn func(cpu int, rec Record)) (ReadTotals, error) {
	var t ReadTotals
	for _, p := range r.pipes {
		emit := func(rec Record) { fn(p.cpu, rec) }
		for range r.maxPages {
			n, err := unix.Read(p.fd, r.page)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if errors.Is(err, unix.EAGAIN) || (err == nil && n == 0) {
				break // this CPU's buffer is empty
			}
			if err != nil {
				return t, wrap("read", p.path, err)
			}
			info, err := r.layout.DecodePage(r.page[:n], emit)
			t.add(info)
			if err != nil {
				err.(*Error).Path = p.path
				return t, err
			}
		}
	}
	return t, nil
}

// Wait blocks until a CPU's buffer fills to the instance's buffer_percent
// watermark (50% by default; the kernel wakes pollers no earlier), or until
// timeout. A streaming reader alternates Wait and Drain.
func (r *Reader) Wait(timeout time.Duration) error {
	fds := make([]unix.PollFd, len(r.pipes))
	for i, p := range r.pipes {
		fds[i] = unix.PollFd{Fd: int32(p.fd), Events: unix.POLLIN}
	}
	_, err := unix.Poll(fds, int(timeout.Milliseconds()))
	if errors.Is(err, unix.EINTR) {
		return nil
	}
	return wrap("poll", r.in.path("per_cpu"), err)
}

// Close closes the pipes; the instance can then be removed.
func (r *Reader) Close() error {
	r.in.mu.Lock()
	delete(r.in.readers, r)
	r.in.mu.Unlock()
	return r.close()
}

func (r *Reader) close() error {
	var errs []error
	for _, p := range r.pipes {
		errs = append(errs, wrap("close", p.path, unix.Close(p.fd)))
	}
	r.pipes = nil
	return errors.Join(errs...)
}

// Counter counts records per event id; its Add method is a Drain callback.
type Counter map[uint16]uint64

// Add counts one record.
func (c Counter) Add(_ int, rec Record) { c[rec.Type()]++ }
