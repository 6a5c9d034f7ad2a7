package loader

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// attach attaches h's program. Before Linux 5.13 a tracing program
// (fentry, fexit) attaches to its trampoline once: after its link is
// closed, attaching it again fails with ENOENT (Debian's 5.10 does). The
// toggling harness attaches many times, so on that error a program that
// was attached before is loaded again, sharing the collection's maps, and
// the attach is retried once.
func (b *Backend) attach(h Hook) (io.Closer, error) {
	l, err := h.Attach(b.coll.Programs[h.Program])
	if errors.Is(err, unix.ENOENT) && b.linked[h.Program] {
		if rerr := b.reload(h.Program); rerr != nil {
			return nil, fmt.Errorf("%w (loading it again to re-attach: %v)", err, rerr)
		}
		l, err = h.Attach(b.coll.Programs[h.Program])
	}
	if err != nil {
		return nil, err
	}
	if b.linked == nil {
		b.linked = map[string]bool{}
	}
	b.linked[h.Program] = true
	return l, nil
}

// reload replaces the program called name with a new load of its spec
// whose map references point at the maps already loaded (counters, ring
// buffer, constants), so that counts continue across the reload.
func (b *Backend) reload(name string) error {
	ps, ok := b.cs.Programs[name]
	if !ok {
		return fmt.Errorf("no program %s in the collection spec", name)
	}
	ps = ps.Copy()
	for mname, m := range b.coll.Maps {
		if err := ps.Instructions.AssociateMap(mname, m); err != nil && !errors.Is(err, asm.ErrUnreferencedSymbol) {
			return fmt.Errorf("map %s: %w", mname, err)
		}
	}
	p, err := ebpf.NewProgramWithOptions(ps, b.progOpts)
	if err != nil {
		return err
	}
	b.coll.Programs[name].Close()
	b.coll.Programs[name] = p
	return nil
}
