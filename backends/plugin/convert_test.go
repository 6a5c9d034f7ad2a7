package plugin

import (
	"errors"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A call ended by its deadline is recognised whichever side ended it: the
// client's timer or the plugin's server resetting the stream (the message is
// the one grpc-go gives for an RST_STREAM with CANCEL).
func TestTimedOut(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{status.Error(codes.DeadlineExceeded, "context deadline exceeded"), true},
		{status.Error(codes.Canceled, "stream terminated by RST_STREAM with error code: CANCEL"), true},
		{status.Error(codes.Unknown, "attach: no such tracepoint"), false},
		{status.Error(codes.Unavailable, "error reading from server: EOF"), false},
		{errors.New("not a status"), false},
	} {
		err := statusToErr("attach", c.err)
		if got := TimedOut(err); got != c.want {
			t.Errorf("TimedOut(%v) = %v, want %v", err, got, c.want)
		}
	}
	err := statusToErr("attach", status.Error(codes.Canceled, "stream terminated by RST_STREAM with error code: CANCEL"))
	if err.Error() != "attach: stream terminated by RST_STREAM with error code: CANCEL" {
		t.Errorf("message %q", err)
	}
}
