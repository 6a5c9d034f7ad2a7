package plugin

import (
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tracebench/tracebench/backends"
	pb "github.com/tracebench/tracebench/backends/backendpb"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/kstate"
)

// The functions below translate between the Go types of package backends
// and the wire types of backend.proto, in both directions.

func eventNames(es []event.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.String()
	}
	return out
}

func parseEvents(names []string) ([]event.Event, error) {
	out := make([]event.Event, len(names))
	for i, n := range names {
		e, err := event.Parse(n)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func modeNames(ms []backends.Mode) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

func parseModes(names []string) []backends.Mode {
	out := make([]backends.Mode, len(names))
	for i, n := range names {
		out[i] = backends.Mode(n)
	}
	return out
}

func setupToPB(s backends.Setup) *pb.SetupRequest {
	return &pb.SetupRequest{
		Events: eventNames(s.Events),
		Mode:   string(s.Mode),
		Filter: &pb.Filter{
			CgroupId:   s.Filter.CgroupID,
			CgroupPath: s.Filter.CgroupPath,
			Pid:        int32(s.Filter.PID),
			LoginUid:   s.Filter.LoginUID,
		},
		Options: s.Options,
		Tag:     s.Tag,
	}
}

func setupFromPB(r *pb.SetupRequest) (backends.Setup, error) {
	evs, err := parseEvents(r.GetEvents())
	if err != nil {
		return backends.Setup{}, err
	}
	f := r.GetFilter()
	return backends.Setup{
		Events: evs,
		Mode:   backends.Mode(r.GetMode()),
		Filter: backends.Filter{
			CgroupID:   f.GetCgroupId(),
			CgroupPath: f.GetCgroupPath(),
			PID:        int(f.GetPid()),
			LoginUID:   f.GetLoginUid(),
		},
		Options: r.GetOptions(),
		Tag:     r.GetTag(),
	}, nil
}

func changeToPB(c kstate.Change) *pb.Change {
	return &pb.Change{
		Kind: string(c.Kind), Path: c.Path, Name: c.Name, Restore: c.Restore,
		Data: c.Data, Pid: int32(c.PID), StartTime: c.StartTime, Note: c.Note,
	}
}

func changeFromPB(c *pb.Change) kstate.Change {
	return kstate.Change{
		Kind: kstate.Kind(c.GetKind()), Path: c.GetPath(), Name: c.GetName(),
		Restore: c.GetRestore(), Data: c.GetData(), PID: int(c.GetPid()),
		StartTime: c.GetStartTime(), Note: c.GetNote(),
	}
}

func probePointsToPB(m map[event.Event]string) map[string]string {
	out := make(map[string]string, len(m))
	for e, p := range m {
		out[e.String()] = p
	}
	return out
}

func probePointsFromPB(m map[string]string) (map[event.Event]string, error) {
	out := make(map[event.Event]string, len(m))
	for n, p := range m {
		e, err := event.Parse(n)
		if err != nil {
			return nil, err
		}
		out[e] = p
	}
	return out, nil
}

func reasonToPB(u *backends.Unsupported) *pb.Reason {
	if u == nil {
		return nil
	}
	return &pb.Reason{Class: string(u.Class), Detail: u.Detail}
}

func reasonFromPB(r *pb.Reason) *backends.Unsupported {
	if r == nil {
		return nil
	}
	return &backends.Unsupported{Class: backends.Class(r.GetClass()), Detail: r.GetDetail()}
}

// errToStatus turns a backend's error into a gRPC status; an *Unsupported
// travels as FAILED_PRECONDITION with its Reason in the details, so the
// class survives the process boundary.
func errToStatus(err error) error {
	if err == nil {
		return nil
	}
	if u, ok := backends.AsUnsupported(err); ok {
		st, derr := status.New(codes.FailedPrecondition, err.Error()).WithDetails(reasonToPB(u))
		if derr == nil {
			return st.Err()
		}
	}
	return status.Error(codes.Unknown, err.Error())
}

// statusToErr is the inverse of errToStatus; other errors (the plugin died,
// a deadline passed) keep their gRPC status.
func statusToErr(op string, err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if ok && st.Code() == codes.FailedPrecondition {
		for _, d := range st.Details() {
			if r, ok := d.(*pb.Reason); ok {
				return fmt.Errorf("%s: %w", op, reasonFromPB(r))
			}
		}
	}
	if ok {
		return &callError{op: op, code: st.Code(), msg: st.Message()}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// callError is a failed call that keeps its gRPC status code, so that a call
// ended by its deadline can be told apart from an error the backend returned.
type callError struct {
	op   string
	code codes.Code
	msg  string
}

func (e *callError) Error() string { return e.op + ": " + e.msg }

// TimedOut reports whether err is a call ended by its deadline. Either side
// of the connection may end it first: the client's own timer gives
// DEADLINE_EXCEEDED, and the plugin's gRPC server, which was sent the
// deadline, resets the stream with CANCEL when it passes there.
func TimedOut(err error) bool {
	var ce *callError
	return errors.As(err, &ce) && (ce.code == codes.DeadlineExceeded || ce.code == codes.Canceled)
}

func nsDuration(ns int64) time.Duration { return time.Duration(ns) }
