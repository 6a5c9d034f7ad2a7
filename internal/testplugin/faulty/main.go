// Command faulty is an external backend plugin for tests: the ebpf/tracepoint
// backend under another name ("test/faulty"), which misbehaves on purpose
// when the option fault is set: it panics, hangs, or exits during a chosen
// call, so that tests can check that the harness fails only that cell, says
// why, and leaves no kernel state behind.
package main

import (
	"context"
	"os"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/ebpf/tracepoint"
	"github.com/tracebench/tracebench/backends/plugin"
	"github.com/tracebench/tracebench/kstate"
)

// Name is the backend name the plugin reports.
const Name = "test/faulty"

type faulty struct {
	backends.Backend
	fault string
}

func (f *faulty) Describe(ctx context.Context) (backends.Description, error) {
	d, err := f.Backend.Describe(ctx)
	d.Name = Name
	return d, err
}

// Plan declares a directory the plugin creates at setup, so that a crash
// leaves real state for the harness to undo from its journal.
func (f *faulty) Plan(ctx context.Context, s backends.Setup) ([]kstate.Change, error) {
	return []kstate.Change{{Kind: kstate.Dir, Path: markerDir(s)}}, nil
}

func markerDir(s backends.Setup) string { return os.TempDir() + "/tracebench-faulty-" + s.Tag }

func (f *faulty) Setup(ctx context.Context, s backends.Setup) (backends.SetupResult, error) {
	f.fault = s.Options["fault"]
	if err := os.Mkdir(markerDir(s), 0o755); err != nil {
		return backends.SetupResult{}, err
	}
	f.misbehave("setup")
	return f.Backend.Setup(ctx, s)
}

func (f *faulty) Attach(ctx context.Context) (time.Duration, error) {
	f.misbehave("attach")
	return f.Backend.Attach(ctx)
}

func (f *faulty) misbehave(call string) {
	switch f.fault {
	case "panic-" + call:
		panic("faulty plugin: panic in " + call)
	case "hang-" + call:
		select {}
	case "exit-" + call:
		os.Exit(3)
	}
}

func main() {
	plugin.Serve(&faulty{Backend: tracepoint.New()})
}
