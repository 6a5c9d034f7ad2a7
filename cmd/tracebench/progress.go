package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/harness"
	"github.com/tracebench/tracebench/reports"
	"github.com/tracebench/tracebench/results"
)

// newProgress shows a live status line on a terminal and plain,
// throttled lines otherwise (CI logs).
func newProgress(w io.Writer) harness.Progress {
	if f, ok := w.(*os.File); ok {
		if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			return &termProgress{w: w}
		}
	}
	return &plainProgress{w: w}
}

type termProgress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *termProgress) Status(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := fmt.Sprintf(format, args...)
	if len(s) > 150 {
		s = s[:147] + "..."
	}
	fmt.Fprintf(p.w, "\r\033[K%s", s)
}

func (p *termProgress) CellDone(c results.Cell) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K%s\n", reports.CellLine(c))
}

type plainProgress struct {
	mu   sync.Mutex
	w    io.Writer
	last time.Time
}

func (p *plainProgress) Status(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 10*time.Second {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "  … "+format+"\n", args...)
}

func (p *plainProgress) CellDone(c results.Cell) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, reports.CellLine(c))
}
