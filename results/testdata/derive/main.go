// Command derive makes the guest targets of the matrix fixture from a real
// host run, by editing copies of its cells (see ../README.md):
//
//	go run ./results/testdata/derive results/testdata/host results/testdata/matrix
//
// Times are scaled as software emulation slows them, samples are kept
// (scaled) and every overhead is recomputed from them with package stats,
// so the derived cells are as self-consistent as measured ones.
package main

import (
	"fmt"
	"math"
	"os"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/stats"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: derive HOSTDIR OUTDIR")
		os.Exit(2)
	}
	host, err := results.ReadDir(os.Args[1])
	if err == nil {
		err = derive(host)
	}
	if err == nil {
		err = os.MkdirAll(os.Args[2], 0o755)
	}
	if err == nil {
		err = results.Write(os.Args[2], host)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "derive:", err)
		os.Exit(1)
	}
}

// guest describes one derived target.
type guest struct {
	target results.Target
	slow   float64 // how much slower every time is under emulation
	btf    string  // the btf_source fact of its eBPF cells
	// backends maps a derived backend to the host backend whose cells it
	// copies, with a factor on the traced (on) samples per event.
	backends []derived
	// edit changes derived cells by key: losses, failures, unsupported.
	edit func(c *results.Cell)
}

type derived struct {
	name, from string
	on         map[event.Event]float64
	probe      func(event.Event) string
}

func derive(host *results.Run) error {
	tplCells := map[results.Key]results.Cell{}
	for _, c := range host.Cells {
		tplCells[c.Key()] = c
	}
	for _, g := range guests() {
		host.Targets = append(host.Targets, g.target)
		for _, d := range g.backends {
			for _, mode := range []string{"count", "stream"} {
				for _, ev := range event.All {
					tpl := tplCells[results.Key{Target: "host", Backend: d.from, Mode: mode, Event: ev}]
					c, err := g.cell(tpl, d)
					if err != nil {
						return err
					}
					g.edit(&c)
					host.Cells = append(host.Cells, c)
				}
			}
		}
	}
	return host.Validate()
}

func (g guest) cell(tpl results.Cell, d derived) (results.Cell, error) {
	c := tpl
	c.Target, c.Backend, c.Emulated = g.target.Name, d.name, true
	c.ProbePoint = d.probe(tpl.Event)
	c.Facts = map[string]string{"btf_source": g.btf, "core_relocations": tpl.Facts["core_relocations"]}
	f := d.on[tpl.Event]
	if f == 0 {
		f = 1
	}
	c.Samples = &results.Samples{Off: scale(tpl.Samples.Off, g.slow), On: scale(tpl.Samples.On, g.slow*f)}
	e, err := stats.Compare(c.Samples.Off, c.Samples.On, stats.Options{NoiseFloorRel: 3e-4, Emulated: true})
	if err != nil {
		return c, err
	}
	c.Overhead = effect(e)
	col := *tpl.Collateral
	col.BaselineNs *= g.slow
	col.AddedNs *= g.slow
	col.CILowNs *= g.slow
	col.CIHighNs *= g.slow
	col.Warnings = append(col.Warnings, stats.ErrEmulated.Error())
	c.Collateral = &col
	cov := *tpl.Coverage
	c.Coverage = &cov
	c.SetupNs = int64(float64(c.SetupNs) * g.slow)
	c.AttachNs = int64(float64(c.AttachNs) * g.slow)
	c.DetachNs = int64(float64(c.DetachNs) * g.slow)
	c.BackendCPUNs = int64(float64(c.BackendCPUNs) * g.slow)
	c.ElapsedNs = int64(float64(c.ElapsedNs) * 3)
	return c, nil
}

// scale multiplies samples by k, rounded to the 0.01 ns bench.txt keeps.
func scale(xs []float64, k float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Round(x*k*100) / 100
	}
	return out
}

// effect converts as the harness does: unbounded intervals become 0 and
// unresolved.
func effect(e stats.Effect) *results.Effect {
	out := &results.Effect{
		BaselineNs: e.BaselineNs, AddedNs: e.AddedNs, CILowNs: e.CILowNs, CIHighNs: e.CIHighNs,
		PValue: e.PValue, Resolved: e.Resolved, Ratio: e.Ratio, RatioCILow: e.RatioCILow, RatioCIHigh: e.RatioCIHigh,
		NOn: e.NOn, NOff: e.NOff,
	}
	for _, w := range e.Warnings {
		out.Warnings = append(out.Warnings, w.Error())
	}
	for _, f := range []*float64{&out.CILowNs, &out.CIHighNs, &out.RatioCILow, &out.RatioCIHigh} {
		if math.IsInf(*f, 0) || math.IsNaN(*f) {
			*f, out.Resolved = 0, false
		}
	}
	return out
}

// unsupported and failed turn a derived cell into one that did not run.
func unsupported(c *results.Cell, class, detail string) {
	*c = results.Cell{Target: c.Target, Backend: c.Backend, Mode: c.Mode, Event: c.Event, Emulated: true,
		Status: results.Unsupported, Reason: &results.Reason{Class: class, Detail: detail}, Started: c.Started}
}

func failed(c *results.Cell, detail string) {
	unsupported(c, "failed", detail)
	c.Status = results.Failed
}

// lose moves n seen events to lost (counted) or, with counted false, to
// unexplained (missed silently).
func lose(c *results.Cell, n int64, counted bool) {
	c.Coverage.Seen -= n
	if counted {
		c.Coverage.Lost += n
	} else {
		c.Coverage.Unexplained += n
	}
}

func tracepoints(ev event.Event) string {
	if ev == event.Exec {
		return "sched:sched_process_exec"
	}
	return "syscalls:sys_enter_" + ev.String()
}

func rawTracepoints(ev event.Event) string {
	if ev == event.Exec {
		return "sched_process_exec"
	}
	return "sys_enter"
}

func functions(prefix string) func(event.Event) string {
	return func(ev event.Event) string {
		return map[event.Event]string{event.Getppid: prefix + "getppid", event.Openat: "do_sys_openat2",
			event.Exec: "bprm_execve", event.Connect: "__sys_connect"}[ev]
	}
}

func is(c *results.Cell, backend, mode string, ev event.Event) bool {
	return c.Backend == backend && (mode == "" || c.Mode == mode) && (ev == 0 || c.Event == ev)
}

func guests() []guest {
	g, o := event.Getppid, event.Openat
	return []guest{
		{
			target: results.Target{Name: "debian:5.10/amd64", Host: results.Host{Machine: "vm", KernelRelease: "5.10.0-35-amd64", Arch: "amd64",
				CPUModel: "QEMU TCG CPU version 2.5+", CPUs: 1, Emulated: true}},
			slow: 23,
			btf:  "external:/var/cache/tracebench/btf/5.10.0-35-amd64.btf",
			backends: []derived{
				{"ebpf/tracepoint", "ebpf/tracepoint", map[event.Event]float64{g: 1.12, o: 1.04}, tracepoints},
				{"ebpf/rawtp", "ebpf/rawtp", map[event.Event]float64{g: 1.07, o: 1.02}, rawTracepoints},
				{"ebpf/kprobe", "ebpf/tracepoint", map[event.Event]float64{g: 1.35, o: 1.10}, functions("__x64_sys_")},
				{"ebpf/fentry", "ebpf/rawtp", map[event.Event]float64{g: 0.96, o: 0.99}, functions("__x64_sys_")},
			},
			edit: func(c *results.Cell) {
				switch {
				case is(c, "ebpf/tracepoint", "stream", g):
					lose(c, c.Coverage.Produced*17/1000, true)
				case is(c, "ebpf/kprobe", "stream", event.Exec):
					c.Status = results.Failed
					c.Coverage.Invalid = 37
					c.Reason = &results.Reason{Class: "failed", Detail: fmt.Sprintf("37 of %d events seen carried wrong values (read through CO-RE: are the kernel types, BTF, those of this kernel?)", c.Coverage.Seen)}
				}
			},
		},
		{
			target: results.Target{Name: "debian:6.1/arm64", Host: results.Host{Machine: "vm", KernelRelease: "6.1.0-40-arm64", Arch: "arm64",
				CPUModel: "arm64 implementer 0x00 part 0x051", CPUs: 1, BTF: true, HardwarePMU: true, Emulated: true}},
			slow: 41,
			btf:  "kernel",
			backends: []derived{
				{"ebpf/tracepoint", "ebpf/tracepoint", map[event.Event]float64{g: 1.05, o: 1.03}, tracepoints},
				{"ebpf/rawtp", "ebpf/rawtp", map[event.Event]float64{g: 1.10, o: 1.05}, rawTracepoints},
				{"ebpf/kprobe", "ebpf/tracepoint", map[event.Event]float64{g: 1.22, o: 1.08}, functions("__arm64_sys_")},
				{"ebpf/fentry", "ebpf/rawtp", nil, functions("__arm64_sys_")},
			},
			edit: func(c *results.Cell) {
				switch {
				case is(c, "ebpf/rawtp", "stream", g):
					lose(c, c.Coverage.Produced*4/1000, true)
				case is(c, "ebpf/tracepoint", "count", event.Connect):
					lose(c, 3, false)
				case is(c, "ebpf/kprobe", "", event.Exec):
					unsupported(c, "missing-symbol", "no kernel function from [bprm_execve do_execveat_common __do_execve_file] can be probed on this kernel")
				case is(c, "ebpf/kprobe", "stream", event.Connect):
					failed(c, "call counters: rpc error: code = Unavailable desc = error reading from server: EOF (backend plugin exited: signal: segmentation fault)")
				case is(c, "ebpf/fentry", "", 0):
					unsupported(c, "missing-config", "attach ebpf/fentry: program fentry_"+c.Event.String()+": create tracing link: not supported (arm64 has no ftrace direct calls for BPF trampolines before Linux 6.4)")
				}
			},
		},
	}
}
