package perf

import (
	"context"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
)

// Probe answers req for a perf backend by trying for real: for each mode
// and event it sets up and attaches a fresh backend on the plugin's own
// cgroup, tears it down, and has classify turn what failed into a reason.
// Perf events die with their file descriptors: the trial changes nothing
// that outlives it.
func Probe(ctx context.Context, req backends.ProbeRequest, fresh func() backends.Backend, classify func(error) *backends.Unsupported) []backends.Support {
	var out []backends.Support
	for _, mode := range req.Modes {
		for _, ev := range req.Events {
			s := backends.Support{Event: ev, Mode: mode}
			trial := fresh()
			res, err := trial.Setup(ctx, backends.Setup{Events: []event.Event{ev}, Mode: mode, Options: req.Options})
			if err == nil {
				_, err = trial.Attach(ctx)
			}
			if terr := trial.Teardown(ctx); err == nil {
				err = terr
			}
			if err != nil {
				s.Reason = classify(err)
			} else {
				s.ProbePoint = res.ProbePoints[ev]
			}
			out = append(out, s)
		}
	}
	return out
}
