package results

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
)

// BenchFile is the name of the Go benchmark format file in a run directory.
const BenchFile = "bench.txt"

// WriteBench writes dir/bench.txt: every cell's overhead samples in the Go
// benchmark format, one line per timed chunk, so that
// `benchstat old/bench.txt new/bench.txt` compares two runs per cell and
// per state (traced on / off). Names use benchstat's key=value
// sub-benchmark form; '/' inside a value becomes ':'.
func WriteBench(dir string, r *Run) error {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	fmt.Fprintf(w, "pkg: tracebench\nrun: %s\n", r.RunID)
	hosts := map[string]Host{}
	for _, t := range r.Targets {
		hosts[t.Name] = t.Host
	}
	last := ""
	for _, c := range r.Cells {
		if c.Samples == nil {
			continue
		}
		if c.Target != last {
			h := hosts[c.Target]
			fmt.Fprintf(w, "goos: linux\ngoarch: %s\ncpu: %s\nkernel: %s\nemulated: %t\n", h.Arch, h.CPUModel, h.KernelRelease, h.Emulated)
			last = c.Target
		}
		name := fmt.Sprintf("BenchmarkEvent/target=%s/backend=%s/mode=%s/event=%s", benchValue(c.Target), benchValue(c.Backend), benchValue(c.Mode), c.Event)
		for _, s := range []struct {
			state string
			xs    []float64
		}{{"off", c.Samples.Off}, {"on", c.Samples.On}} {
			for _, x := range s.xs {
				fmt.Fprintf(w, "%s/state=%s \t1\t%.2f ns/op\n", name, s.state, x)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, BenchFile), buf.Bytes())
}

func benchValue(s string) string {
	return strings.NewReplacer("/", ":", " ", "_").Replace(s)
}
