package toolchain

import (
	"context"
	"runtime"
	"sync"
)

// Configs is the cross product compilers × optimization levels ×
// architectures, each with cflags.
func Configs(compilers []Compiler, opts, arches, cflags []string) []Config {
	var out []Config
	for _, c := range compilers {
		for _, o := range opts {
			for _, a := range arches {
				out = append(out, Config{Compiler: c, Opt: o, Arch: a, CFlags: cflags})
			}
		}
	}
	return out
}

// Result is one source built with one configuration.
type Result struct {
	Config Config
	Source string
	Object Object
	Err    error // a *BuildError when the compiler refused the source
}

// BuildAll builds every source with every configuration, parallel
// compilations at a time (0: one per CPU), and returns the results in
// configuration order, then source order. A failed build is a result, not
// an error: a source newer compilers reject is a finding.
func (c Cache) BuildAll(ctx context.Context, configs []Config, sources []string, parallel int) []Result {
	if parallel < 1 {
		parallel = runtime.NumCPU()
	}
	out := make([]Result, 0, len(configs)*len(sources))
	for _, cfg := range configs {
		for _, src := range sources {
			out = append(out, Result{Config: cfg, Source: src})
		}
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i].Object, out[i].Err = c.Build(ctx, out[i].Config, out[i].Source)
		})
	}
	wg.Wait()
	return out
}
