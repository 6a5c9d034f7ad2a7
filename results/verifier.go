package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// VerifierFile is the name of the verifier matrix in a run directory,
// written by `tracebench verify --out DIR` (schema: VERIFIER.md).
const VerifierFile = "verifier.json"

// VerifierSchemaVersion is the version of verifier.json written by this
// package. Readers refuse other versions.
const VerifierSchemaVersion = 1

// VerifierRun is the content of verifier.json: what each target kernel's
// verifier said about each program of each object build.
type VerifierRun struct {
	SchemaVersion int       `json:"schema_version"`
	Tracebench    string    `json:"tracebench_version"`
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished,omitzero"`
	// Elapsed is the wall time of the whole matrix: builds, host and
	// guests (guests run in parallel).
	Elapsed time.Duration    `json:"elapsed_ns"`
	Command []string         `json:"command,omitempty"`
	Targets []VerifierTarget `json:"targets"`
	Builds  []Build          `json:"builds"`
	Objects []VerifierObject `json:"objects"`
	Cells   []VerifierCell   `json:"cells"`
}

// VerifierTarget is a kernel the objects were loaded on.
type VerifierTarget struct {
	Name          string `json:"name"` // "host", "debian:5.10/amd64", …
	KernelRelease string `json:"kernel_release,omitempty"`
	Arch          string `json:"arch"`
	BTF           bool   `json:"btf"`
	Emulated      bool   `json:"emulated"`
	// Elapsed is the wall time of the target's part: a guest's boot and
	// every load in it.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Error says why the target produced no verdicts (a guest that did not
	// boot); its cells are then absent.
	Error string `json:"error,omitempty"`
}

// Build is one way objects were produced: a compiler, its flags and the
// target architecture, or prebuilt objects given by the user.
type Build struct {
	// ID is "clang-14/O2/amd64", or "prebuilt/amd64" ("prebuilt/any" for
	// objects that name no architecture).
	ID              string   `json:"id"`
	Compiler        string   `json:"compiler,omitempty"` // "clang-14"; empty for prebuilt objects
	CompilerVersion string   `json:"compiler_version,omitempty"`
	Opt             string   `json:"opt,omitempty"` // "-O2"
	Arch            string   `json:"arch"`          // Go name: amd64, arm64, or "any"
	CFlags          []string `json:"cflags,omitempty"`
}

// VerifierObject is one object file of one build.
type VerifierObject struct {
	Name   string `json:"name"`  // "tracepoint", or the file name of a prebuilt object
	Build  string `json:"build"` // Build.ID
	Source string `json:"source,omitempty"`
	// Role is "program" (gated: any refusal fails `tracebench verify`) or
	// "fixture" (a known divergence, reported but not gated).
	Role   string `json:"role"`
	SHA256 string `json:"sha256,omitempty"`
	// Error says why the object has no cells: a failed build or a file
	// that is not a usable eBPF object.
	Error      string `json:"error,omitempty"`
	ErrorClass string `json:"error_class,omitempty"`
}

// Verdict is what a kernel said about a program.
type Verdict string

const (
	// VerdictAccepted: BPF_PROG_LOAD succeeded, the verifier accepted the
	// program.
	VerdictAccepted Verdict = "accepted"
	// VerdictRefused: the verifier ran and refused the program (it said
	// why in its log).
	VerdictRefused Verdict = "refused"
	// VerdictUnsupported: the kernel refused the program before verifying it,
	// without a word in the log: an unknown program or attach type, an
	// attach target it does not have, a map it cannot create, no
	// permission for the program type.
	VerdictUnsupported Verdict = "unsupported"
)

// VerifierCell is one program of one object build loaded on one target.
type VerifierCell struct {
	Target  string `json:"target"`
	Build   string `json:"build"`
	Object  string `json:"object"`
	Program string `json:"program"`
	Section string `json:"section,omitempty"`
	Type    string `json:"type,omitempty"` // the program type, e.g. "Kprobe"
	// AttachTo is the attach target used for a tracing program.
	AttachTo string  `json:"attach_to,omitempty"`
	Status   Verdict `json:"status"`
	// Class classifies a refusal or why it is unsupported (see VERIFIER.md).
	Class  string `json:"class,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Log holds the lines of the verifier log that explain a refusal.
	Log []string `json:"log,omitempty"`
	// Insns is the size of the program as loaded, in instructions.
	Insns int `json:"insns"`
	// VerifiedInsns is the number of instructions the verifier processed
	// ("processed N insns"); InsnsSource says where it came from:
	// "prog_info" (bpf_prog_info.verified_insns, 5.16+) or "log".
	VerifiedInsns int    `json:"verified_insns,omitempty"`
	InsnsSource   string `json:"verified_insns_source,omitempty"`
	// Load is the wall time of the load: CO-RE relocation and
	// BPF_PROG_LOAD, which is mostly the verifier.
	Load time.Duration `json:"load_ns"`
}

// WriteVerifier writes r as dir/verifier.json, atomically.
func WriteVerifier(dir string, r *VerifierRun) error {
	r.SchemaVersion = VerifierSchemaVersion
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode verifier matrix: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, VerifierFile), append(b, '\n'))
}

// ReadVerifier reads and validates a verifier matrix file.
func ReadVerifier(path string) (*VerifierRun, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := DecodeVerifier(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// DecodeVerifier parses and validates the content of a verifier matrix file.
func DecodeVerifier(b []byte) (*VerifierRun, error) {
	var r VerifierRun
	if err := decodeStrict(b, &r, "verifier matrix", VerifierSchemaVersion); err != nil {
		return nil, err
	}
	return &r, nil
}

// Validate checks that every cell names a known target, build and object,
// has a known status, and that no cell is repeated.
func (r *VerifierRun) Validate() error {
	targets, builds, objects := map[string]bool{}, map[string]bool{}, map[[2]string]bool{}
	for _, t := range r.Targets {
		targets[t.Name] = true
	}
	for _, b := range r.Builds {
		builds[b.ID] = true
	}
	for i, o := range r.Objects {
		if !builds[o.Build] {
			return fmt.Errorf("objects[%d] (%s): unknown build %q", i, o.Name, o.Build)
		}
		if o.Role != RoleProgram && o.Role != RoleFixture {
			return fmt.Errorf("objects[%d] (%s): role %q: want program or fixture", i, o.Name, o.Role)
		}
		objects[[2]string{o.Build, o.Name}] = true
	}
	seen := map[[4]string]bool{}
	for i, c := range r.Cells {
		switch {
		case !targets[c.Target]:
			return fmt.Errorf("cells[%d]: unknown target %q", i, c.Target)
		case !objects[[2]string{c.Build, c.Object}]:
			return fmt.Errorf("cells[%d]: unknown object %q of build %q", i, c.Object, c.Build)
		case c.Status != VerdictAccepted && c.Status != VerdictRefused && c.Status != VerdictUnsupported:
			return fmt.Errorf("cells[%d] (%s %s): status %q: want %s, %s or %s", i, c.Object, c.Program, c.Status, VerdictAccepted, VerdictRefused, VerdictUnsupported)
		case c.Status != VerdictAccepted && c.Class == "":
			return fmt.Errorf("cells[%d] (%s %s): %s without a class", i, c.Object, c.Program, c.Status)
		}
		k := [4]string{c.Target, c.Build, c.Object, c.Program}
		if seen[k] {
			return fmt.Errorf("cells[%d]: duplicate cell %v", i, k)
		}
		seen[k] = true
	}
	return nil
}

// AnyArch is the Build.Arch of an object that may run on any kernel.
const AnyArch = "any"

// Roles of objects in a verifier matrix.
const (
	// RoleProgram objects gate: a refusal anywhere fails `tracebench verify`.
	RoleProgram = "program"
	// RoleFixture objects are known divergences: reported, not gated.
	RoleFixture = "fixture"
)
