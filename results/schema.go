// Package results is the results schema of tracebench and its reader and
// writers: results.json (versioned JSON, the source of truth that reports
// and comparisons read) and bench.txt (Go benchmark format, for benchstat).
// Runs land in subdirectories of the results/ directory by default.
//
// The schema is documented field by field in SCHEMA.md; a change that
// breaks readers bumps SchemaVersion.
package results

import (
	"time"

	"github.com/tracebench/tracebench/event"
)

// SchemaVersion is the version of the results.json format written by this
// package. Readers refuse other versions.
const SchemaVersion = 1

// Run is the content of results.json.
type Run struct {
	SchemaVersion int       `json:"schema_version"`
	RunID         string    `json:"run_id"`
	Tracebench    string    `json:"tracebench_version"`
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished,omitzero"`
	// Command is the command line that produced the run.
	Command []string `json:"command,omitempty"`
	Config  Config   `json:"config"`
	Targets []Target `json:"targets"`
	Cells   []Cell   `json:"cells"`
}

// Config is the measurement configuration of a run.
type Config struct {
	// The selection of the run: `tracebench run --resume` repeats it.
	Targets        []string      `json:"targets"`
	Backends       []string      `json:"backends"`
	Events         []event.Event `json:"events"`
	Modes          []string      `json:"modes,omitempty"` // empty: every mode of each backend
	SkipCollateral bool          `json:"skip_collateral,omitempty"`
	CoverageOnly   bool          `json:"coverage_only,omitempty"`
	Load           bool          `json:"load,omitempty"`
	GuestBudget    time.Duration `json:"guest_budget_ns,omitempty"`

	CellBudget time.Duration     `json:"cell_budget_ns"`
	Options    map[string]string `json:"options,omitempty"`
	// Host cells run on CPU WorkloadCPU (the workload), the harness and
	// plugins elsewhere where the machine has more than one CPU.
	WorkloadCPU int `json:"workload_cpu"`
	// Plan is set when the run is one shard of a plan, or a merge of
	// shards (see Plan).
	Plan *Plan `json:"plan,omitempty"`
}

// Target is where cells ran, and the facts of that kernel and machine.
type Target struct {
	Name string `json:"name"` // "host", "debian:6.1/arm64", …
	Host Host   `json:"host"`
	// Machines lists, in a merge, the machines whose shards measured this
	// target when there were several (Host.Machine is then empty): their
	// facts were otherwise identical. Each cell names its own machine.
	Machines []string `json:"machines,omitempty"`
}

// Host holds the facts of the kernel and machine a target ran on.
type Host struct {
	// Machine is the hostname of the machine that ran the cells (for a
	// guest, the machine that ran qemu); shards merged from several
	// machines keep theirs.
	Machine       string `json:"machine"`
	KernelRelease string `json:"kernel_release"`
	Arch          string `json:"arch"`
	CPUModel      string `json:"cpu_model"`
	CPUs          int    `json:"cpus"`
	BTF           bool   `json:"btf"`          // /sys/kernel/btf/vmlinux present
	HardwarePMU   bool   `json:"hardware_pmu"` // a CPU PMU is registered with perf
	// Emulated is true in a guest under software emulation (qemu TCG):
	// absolute times are artefacts; only on/off ratios mean anything.
	Emulated bool `json:"emulated"`
	// ICount is qemu's -icount setting of an emulated guest (e.g.
	// "shift=0"): its clock then counts instructions, so its times are
	// instruction counts, deterministic but not durations.
	ICount string `json:"icount,omitempty"`
}

// Status is the outcome of a cell.
type Status string

const (
	OK          Status = "ok"
	Unsupported Status = "unsupported" // the kernel cannot do it: see Reason
	Failed      Status = "failed"      // something broke: see Reason
)

// Reason explains a status other than ok.
type Reason struct {
	Class  string `json:"class"` // see backends.Class
	Detail string `json:"detail"`
}

// Cell is one (target, backend, mode, event) measurement.
type Cell struct {
	Target  string      `json:"target"`
	Backend string      `json:"backend"`
	Mode    string      `json:"mode"`
	Event   event.Event `json:"event"`
	Status  Status      `json:"status"`
	Reason  *Reason     `json:"reason,omitempty"`
	// ProbePoint is what the backend attached to on this kernel.
	ProbePoint string `json:"probe_point,omitempty"`
	// Overhead is the cost added to each event of the workload.
	Overhead *Effect `json:"overhead,omitempty"`
	// Collateral is the cost added to an untraced null syscall (getuid)
	// while the backend traces only this cell's event.
	Collateral *Effect   `json:"collateral,omitempty"`
	Coverage   *Coverage `json:"coverage,omitempty"`
	// Load is the load sweep (`run --load`): coverage as the event rate
	// rises to the workload's maximum.
	Load *Load `json:"load,omitempty"`
	// SetupNs is the time to load (programs, instances) before attaching;
	// AttachNs and DetachNs are medians over every toggle of the cell.
	SetupNs  int64 `json:"setup_ns,omitempty"`
	AttachNs int64 `json:"attach_ns,omitempty"`
	DetachNs int64 `json:"detach_ns,omitempty"`
	Toggles  int   `json:"toggles,omitempty"`
	// BackendCPUNs is the CPU time the backend's own process used.
	BackendCPUNs int64 `json:"backend_cpu_ns,omitempty"`
	// Facts are backend-specific facts (BTF source, relocations…).
	Facts    map[string]string `json:"facts,omitempty"`
	Emulated bool              `json:"emulated,omitempty"`
	// Machine is the hostname of the machine that measured the cell (for
	// a guest, the machine that ran qemu): in a merge of shards, cells of
	// one target may come from several.
	Machine string `json:"machine,omitempty"`
	// Samples are the per-chunk ns/op of the overhead measurement, kept
	// (subsampled to at most MaxSamples per side) for benchstat and
	// `tracebench compare`.
	Samples   *Samples  `json:"samples,omitempty"`
	Started   time.Time `json:"started"`
	ElapsedNs int64     `json:"elapsed_ns"`
}

// Key identifies a cell within a run.
type Key struct {
	Target  string      `json:"target"`
	Backend string      `json:"backend"`
	Mode    string      `json:"mode"`
	Event   event.Event `json:"event"`
}

// Key returns the cell's key.
func (c Cell) Key() Key { return Key{c.Target, c.Backend, c.Mode, c.Event} }

// Effect is a measured cost: median(on) − median(off) with its 95%
// confidence interval and significance. When Resolved is false the
// interval spans zero or the effect is below the noise floor: report it as
// unresolved, never as a number.
type Effect struct {
	BaselineNs  float64  `json:"baseline_ns"`
	AddedNs     float64  `json:"added_ns"`
	CILowNs     float64  `json:"ci_low_ns"`
	CIHighNs    float64  `json:"ci_high_ns"`
	PValue      float64  `json:"p_value"`
	Resolved    bool     `json:"resolved"`
	Ratio       float64  `json:"ratio"`
	RatioCILow  float64  `json:"ratio_ci_low"`
	RatioCIHigh float64  `json:"ratio_ci_high"`
	NOn         int      `json:"n_on"`
	NOff        int      `json:"n_off"`
	Warnings    []string `json:"warnings,omitempty"`
}

// Coverage reconciles what the workload produced with what the backend
// reported: Unexplained = Produced − Seen − Lost (negative when the backend
// saw more than was produced, e.g. events from outside the workload), or
// Expected − Seen − Lost for a sampling backend.
type Coverage struct {
	Produced    int64 `json:"produced"`
	Seen        int64 `json:"seen"`
	Lost        int64 `json:"lost"`
	Unexplained int64 `json:"unexplained"`
	// Invalid counts seen events whose values contradict ground truth
	// (e.g. a pid read through CO-RE with another kernel's types); a cell
	// with invalid events has failed, whatever its counts.
	Invalid int64 `json:"invalid,omitempty"`
	// Sampling: seen and lost count samples of a sampling backend, and
	// Expected is how many its frequency and the workload's CPU time call
	// for; then Unexplained = Expected − Seen − Lost, and Produced is still
	// the workload's count of events.
	Sampling bool  `json:"sampling,omitempty"`
	Expected int64 `json:"expected,omitempty"`
}

// Load is a cell's load curve.
type Load struct {
	// Points are in increasing target rate; the last is unpaced (as fast
	// as the workload goes with the backend attached).
	Points []LoadPoint `json:"points"`
	// OnsetHz is the lowest achieved rate at which events went missing
	// (lost or unexplained); 0 when none did at any rate.
	OnsetHz float64 `json:"onset_hz"`
}

// LoadPoint is the coverage of one paced run.
type LoadPoint struct {
	TargetHz   float64 `json:"target_hz"` // 0: unpaced
	AchievedHz float64 `json:"achieved_hz"`
	Coverage
}

// Samples are ns/op per chunk, with the backend detached (Off) and attached (On).
type Samples struct {
	Off []float64 `json:"off"`
	On  []float64 `json:"on"`
}

// MaxSamples bounds the samples kept per side of a cell.
const MaxSamples = 2000
