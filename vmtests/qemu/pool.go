package qemu

import (
	"context"
	"runtime"
)

// Pool bounds how many guests run at once. Under emulation one single-CPU
// guest per host core is fastest: two guests in parallel beat two in a row.
type Pool struct{ slots chan struct{} }

// NewPool returns a pool of n slots; n < 1 means one per host CPU.
func NewPool(n int) *Pool {
	if n < 1 {
		n = runtime.NumCPU()
	}
	return &Pool{slots: make(chan struct{}, n)}
}

// Do runs f when a slot is free, or returns ctx's error if ctx ends first.
func (p *Pool) Do(ctx context.Context, f func() error) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	return f()
}
