package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
)

// Survey is what one backend can do on this kernel.
type Survey struct {
	Name        string
	Description backends.Description
	Support     []backends.Support
	Err         error // the plugin could not be started or asked
}

// SurveyBackends starts each backend's plugin and asks which events and
// modes this kernel supports, without measuring anything. The journal of
// trial attaches lives in a temporary directory under /run.
func SurveyBackends(ctx context.Context, cfg Config) ([]Survey, error) {
	cfg.CellBudget = max(cfg.CellBudget, time.Second) // unused: nothing is measured
	if cfg.OutDir == "" {
		if err := os.MkdirAll("/run/tracebench", 0o755); err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp("/run/tracebench", "survey-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cfg.OutDir = dir
	}
	if len(cfg.Events) == 0 {
		cfg.Events = event.All
	}
	if cfg.RunID == "" {
		cfg.RunID = fmt.Sprintf("survey%d", os.Getpid())
	}
	h, err := start(cfg)
	if err != nil {
		return nil, err
	}
	j := h.journal
	if h.env, err = prepare(cfg, j); err != nil {
		return nil, errors.Join(err, j.Close())
	}
	defer h.env.restoreAffinity()
	var out []Survey
	for _, name := range cfg.Backends {
		out = append(out, h.survey(ctx, name))
	}
	return out, j.Close()
}

func (h *harness) survey(ctx context.Context, name string) Survey {
	s := Survey{Name: name}
	proc, err := h.launch(name)
	if err != nil {
		s.Err = err
		return s
	}
	defer proc.Kill()
	if s.Err = h.call(ctx, proc, "describe", func(c context.Context) (err error) { s.Description, err = proc.Describe(c); return }); s.Err != nil {
		return s
	}
	modes := h.cfg.Modes
	if len(modes) == 0 {
		modes = s.Description.Modes
	}
	s.Support, s.Err = h.probe(ctx, proc, name, modes)
	return s
}
