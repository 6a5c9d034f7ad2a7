package plugin

import (
	"context"

	"github.com/tracebench/tracebench/backends"
	pb "github.com/tracebench/tracebench/backends/backendpb"
)

// server exposes a backends.Backend as the gRPC Backend service.
type server struct {
	pb.UnimplementedBackendServer
	impl backends.Backend
}

func (s *server) Describe(ctx context.Context, _ *pb.Empty) (*pb.Description, error) {
	d, err := s.impl.Describe(ctx)
	if err != nil {
		return nil, errToStatus(err)
	}
	out := &pb.Description{Name: d.Name, Summary: d.Summary, Modes: modeNames(d.Modes),
		Traits: &pb.Traits{Audit: d.Traits.Audit, GuestTools: d.Traits.GuestTools}}
	for _, p := range d.Probes {
		out.Probes = append(out.Probes, &pb.ProbeSpec{Event: p.Event.String(), Candidates: p.Candidates})
	}
	return out, nil
}

func (s *server) Probe(ctx context.Context, r *pb.ProbeRequest) (*pb.ProbeReply, error) {
	evs, err := parseEvents(r.GetEvents())
	if err != nil {
		return nil, errToStatus(err)
	}
	sup, err := s.impl.Probe(ctx, backends.ProbeRequest{Events: evs, Modes: parseModes(r.GetModes()), Options: r.GetOptions(), Tag: r.GetTag()})
	if err != nil {
		return nil, errToStatus(err)
	}
	out := &pb.ProbeReply{}
	for _, x := range sup {
		out.Support = append(out.Support, &pb.Support{
			Event: x.Event.String(), Mode: string(x.Mode), Supported: x.Reason == nil,
			Reason: reasonToPB(x.Reason), ProbePoint: x.ProbePoint,
		})
	}
	return out, nil
}

func (s *server) Plan(ctx context.Context, r *pb.SetupRequest) (*pb.PlanReply, error) {
	su, err := setupFromPB(r)
	if err != nil {
		return nil, errToStatus(err)
	}
	cs, err := s.impl.Plan(ctx, su)
	if err != nil {
		return nil, errToStatus(err)
	}
	out := &pb.PlanReply{}
	for _, c := range cs {
		out.Changes = append(out.Changes, changeToPB(c))
	}
	return out, nil
}

func (s *server) Setup(ctx context.Context, r *pb.SetupRequest) (*pb.SetupReply, error) {
	su, err := setupFromPB(r)
	if err != nil {
		return nil, errToStatus(err)
	}
	res, err := s.impl.Setup(ctx, su)
	if err != nil {
		return nil, errToStatus(err)
	}
	return &pb.SetupReply{SetupNs: res.Duration.Nanoseconds(), ProbePoints: probePointsToPB(res.ProbePoints), Facts: res.Facts}, nil
}

func (s *server) Attach(ctx context.Context, _ *pb.Empty) (*pb.Timing, error) {
	d, err := s.impl.Attach(ctx)
	if err != nil {
		return nil, errToStatus(err)
	}
	return &pb.Timing{Ns: d.Nanoseconds()}, nil
}

func (s *server) Detach(ctx context.Context, _ *pb.Empty) (*pb.Timing, error) {
	d, err := s.impl.Detach(ctx)
	if err != nil {
		return nil, errToStatus(err)
	}
	return &pb.Timing{Ns: d.Nanoseconds()}, nil
}

func (s *server) Counters(ctx context.Context, _ *pb.Empty) (*pb.CountersReply, error) {
	cs, err := s.impl.Counters(ctx)
	if err != nil {
		return nil, errToStatus(err)
	}
	out := &pb.CountersReply{}
	for e, c := range cs {
		out.Counters = append(out.Counters, &pb.Counter{Event: e.String(), Seen: c.Seen, Lost: c.Lost, Invalid: c.Invalid,
			Sampling: c.Sampling, Expected: c.Expected, Totals: c.Totals, Facts: c.Facts})
	}
	return out, nil
}

func (s *server) Teardown(ctx context.Context, _ *pb.Empty) (*pb.Empty, error) {
	return &pb.Empty{}, errToStatus(s.impl.Teardown(ctx))
}

func (s *server) Usage(ctx context.Context, _ *pb.Empty) (*pb.UsageReply, error) {
	u, err := s.impl.Usage(ctx)
	if err != nil {
		return nil, errToStatus(err)
	}
	return &pb.UsageReply{UserNs: u.User.Nanoseconds(), SystemNs: u.System.Nanoseconds(), MaxRssKb: u.MaxRSSKB}, nil
}
