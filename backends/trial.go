package backends

import (
	"context"
	"errors"
)

// Trial uses b once as a cell would — Setup for s, Attach, Detach,
// Teardown (after a successful Setup) — and returns the probe point of
// s's first event or the error, joined with Teardown's. A Probe built on it tests support by real
// use, the only reliable test (files that exist may still refuse root).
func Trial(ctx context.Context, b Backend, s Setup) (string, error) {
	res, err := b.Setup(ctx, s)
	if err != nil {
		return "", err
	}
	_, err = b.Attach(ctx)
	if err == nil {
		_, err = b.Detach(ctx)
	}
	err = errors.Join(err, b.Teardown(ctx))
	if err != nil || len(s.Events) == 0 {
		return "", err
	}
	return res.ProbePoints[s.Events[0]], nil
}
