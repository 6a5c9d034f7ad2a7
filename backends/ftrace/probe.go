package ftrace

import (
	"context"
	"os"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
)

// Probe sets up, attaches and detaches each event in each mode for real,
// filtered to the plugin process itself, and tears it down: the kernel's
// answer is the only reliable feature test (a function tracer whose files
// exist may still refuse root). It makes only the changes Plan lists for
// a Setup of the same events and tag.
func (b *Backend) Probe(ctx context.Context, req backends.ProbeRequest) ([]backends.Support, error) {
	var out []backends.Support
	for _, mode := range req.Modes {
		for _, ev := range req.Events {
			s := backends.Support{Event: ev, Mode: mode}
			trial := &Backend{spec: b.spec, plans: b.plans}
			point, err := backends.Trial(ctx, trial, backends.Setup{
				Events:  []event.Event{ev},
				Mode:    mode,
				Filter:  backends.Filter{PID: os.Getpid()},
				Options: req.Options,
				Tag:     req.Tag,
			})
			if err != nil {
				s.Reason = Classify(err)
			} else {
				s.ProbePoint = point
			}
			out = append(out, s)
		}
	}
	return out, nil
}
