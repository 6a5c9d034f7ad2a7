package plugin

import (
	"context"
	"time"

	"github.com/tracebench/tracebench/backends"
	pb "github.com/tracebench/tracebench/backends/backendpb"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/kstate"
)

// client is a backends.Backend that calls a plugin over gRPC.
type client struct {
	rpc pb.BackendClient
}

var _ backends.Backend = (*client)(nil)

func (c *client) Describe(ctx context.Context) (backends.Description, error) {
	d, err := c.rpc.Describe(ctx, &pb.Empty{})
	if err != nil {
		return backends.Description{}, statusToErr("describe", err)
	}
	out := backends.Description{Name: d.GetName(), Summary: d.GetSummary(), Modes: parseModes(d.GetModes()),
		Traits: backends.Traits{Audit: d.GetTraits().GetAudit(), GuestTools: d.GetTraits().GetGuestTools()}}
	for _, p := range d.GetProbes() {
		e, err := event.Parse(p.GetEvent())
		if err != nil {
			return out, statusToErr("describe", err)
		}
		out.Probes = append(out.Probes, backends.ProbeSpec{Event: e, Candidates: p.GetCandidates()})
	}
	return out, nil
}

func (c *client) Probe(ctx context.Context, req backends.ProbeRequest) ([]backends.Support, error) {
	r, err := c.rpc.Probe(ctx, &pb.ProbeRequest{Events: eventNames(req.Events), Modes: modeNames(req.Modes), Options: req.Options, Tag: req.Tag})
	if err != nil {
		return nil, statusToErr("probe", err)
	}
	var out []backends.Support
	for _, s := range r.GetSupport() {
		e, err := event.Parse(s.GetEvent())
		if err != nil {
			return nil, statusToErr("probe", err)
		}
		x := backends.Support{Event: e, Mode: backends.Mode(s.GetMode()), ProbePoint: s.GetProbePoint()}
		if !s.GetSupported() {
			x.Reason = reasonFromPB(s.GetReason())
			if x.Reason == nil {
				x.Reason = backends.Unsupportedf(backends.Failed, "plugin gave no reason")
			}
		}
		out = append(out, x)
	}
	return out, nil
}

func (c *client) Plan(ctx context.Context, s backends.Setup) ([]kstate.Change, error) {
	r, err := c.rpc.Plan(ctx, setupToPB(s))
	if err != nil {
		return nil, statusToErr("plan", err)
	}
	var out []kstate.Change
	for _, ch := range r.GetChanges() {
		out = append(out, changeFromPB(ch))
	}
	return out, nil
}

func (c *client) Setup(ctx context.Context, s backends.Setup) (backends.SetupResult, error) {
	r, err := c.rpc.Setup(ctx, setupToPB(s))
	if err != nil {
		return backends.SetupResult{}, statusToErr("setup", err)
	}
	pp, err := probePointsFromPB(r.GetProbePoints())
	if err != nil {
		return backends.SetupResult{}, statusToErr("setup", err)
	}
	return backends.SetupResult{Duration: nsDuration(r.GetSetupNs()), ProbePoints: pp, Facts: r.GetFacts()}, nil
}

func (c *client) Attach(ctx context.Context) (time.Duration, error) {
	r, err := c.rpc.Attach(ctx, &pb.Empty{})
	if err != nil {
		return 0, statusToErr("attach", err)
	}
	return nsDuration(r.GetNs()), nil
}

func (c *client) Detach(ctx context.Context) (time.Duration, error) {
	r, err := c.rpc.Detach(ctx, &pb.Empty{})
	if err != nil {
		return 0, statusToErr("detach", err)
	}
	return nsDuration(r.GetNs()), nil
}

func (c *client) Counters(ctx context.Context) (map[event.Event]backends.Counter, error) {
	r, err := c.rpc.Counters(ctx, &pb.Empty{})
	if err != nil {
		return nil, statusToErr("counters", err)
	}
	out := map[event.Event]backends.Counter{}
	for _, x := range r.GetCounters() {
		e, err := event.Parse(x.GetEvent())
		if err != nil {
			return nil, statusToErr("counters", err)
		}
		out[e] = backends.Counter{Seen: x.GetSeen(), Lost: x.GetLost(), Invalid: x.GetInvalid(),
			Sampling: x.GetSampling(), Expected: x.GetExpected(), Totals: x.GetTotals(), Facts: x.GetFacts()}
	}
	return out, nil
}

func (c *client) Teardown(ctx context.Context) error {
	_, err := c.rpc.Teardown(ctx, &pb.Empty{})
	return statusToErr("teardown", err)
}

func (c *client) Usage(ctx context.Context) (backends.Usage, error) {
	r, err := c.rpc.Usage(ctx, &pb.Empty{})
	if err != nil {
		return backends.Usage{}, statusToErr("usage", err)
	}
	return backends.Usage{User: nsDuration(r.GetUserNs()), System: nsDuration(r.GetSystemNs()), MaxRSSKB: r.GetMaxRssKb()}, nil
}
