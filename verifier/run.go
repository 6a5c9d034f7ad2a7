package verifier

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tracebench/tracebench/results"
	"github.com/tracebench/tracebench/verifier/toolchain"
	"github.com/tracebench/tracebench/vmtests"
	"github.com/tracebench/tracebench/vmtests/qemu"
)

// Roles of objects in a matrix (see results.RoleProgram).
const (
	RoleProgram = results.RoleProgram
	RoleFixture = results.RoleFixture
)

// Object is an object file to verify, or a build that failed to make one.
type Object struct {
	Name    string
	Build   results.Build
	Path    string
	Source  string
	Role    string
	Options Options
	// Err is why there is no usable object: a failed build.
	Err error
}

// Config is a verifier matrix to run.
type Config struct {
	// Targets are the kernels, the host among them or not.
	Targets []vmtests.Target
	// Cache holds the guest kernels.
	Cache *vmtests.Cache
	// GuestBinaries are static tracebench binaries per architecture, a
	// guest's /init.
	GuestBinaries map[string]string
	Objects       []Object
	// Parallel is how many guests run at once (0: one per CPU).
	Parallel int
	// LogDir receives the guests' console logs.
	LogDir string
	// Progress receives a line per step; nil means none.
	Progress func(format string, args ...any)
	Command  []string
	Version  string
}

// Guest paths: the request and the objects in a guest's initramfs.
const (
	GuestDir         = "/tracebench/verify"
	GuestRequestFile = GuestDir + "/request.json"
)

// GuestRequest is what `tracebench verify-guest` reads.
type GuestRequest struct {
	Target string `json:"target"`
	Jobs   []Job  `json:"jobs"`
}

// ErrTarget classifies a target that produced no verdicts.
var ErrTarget = errors.New("target failed")

// Run verifies every object on every target of its architecture: the host
// in this process, guests in qemu, in parallel. It returns the matrix; an
// error only for a configuration that cannot run at all.
func Run(ctx context.Context, cfg Config) (*results.VerifierRun, error) {
	start := time.Now()
	progress := cfg.Progress
	if progress == nil {
		progress = func(string, ...any) {}
	}
	run := &results.VerifierRun{SchemaVersion: results.VerifierSchemaVersion, Tracebench: cfg.Version, Started: start.UTC(), Command: cfg.Command}
	arches := map[string]bool{}
	for _, t := range cfg.Targets {
		arches[t.Arch] = true
	}
	usable := checkObjects(cfg.Objects, arches)
	seenBuild := map[string]bool{}
	for _, o := range cfg.Objects {
		if !seenBuild[o.Build.ID] {
			seenBuild[o.Build.ID] = true
			run.Builds = append(run.Builds, o.Build)
		}
		vo := results.VerifierObject{Name: o.Name, Build: o.Build.ID, Source: o.Source, Role: o.Role}
		if u, ok := usable[o.key()]; ok {
			vo.SHA256 = u.sha
		}
		if o.Err != nil {
			vo.Error, vo.ErrorClass = o.Err.Error(), objectErrorClass(o.Err)
		}
		run.Objects = append(run.Objects, vo)
	}
	var mu sync.Mutex
	pool := qemu.NewPool(cfg.Parallel)
	var wg sync.WaitGroup
	for _, t := range cfg.Targets {
		var jobs []usableObject
		for _, o := range cfg.Objects {
			if u, ok := usable[o.key()]; ok && (o.Build.Arch == t.Arch || o.Build.Arch == AnyArch) {
				jobs = append(jobs, u)
			}
		}
		wg.Go(func() {
			var vt results.VerifierTarget
			var v Verdicts
			if t.Host() {
				vt, v = runHost(t, jobs, progress)
			} else {
				pool.Do(ctx, func() error {
					vt, v = runGuest(ctx, cfg, t, jobs, progress)
					return nil
				})
				if ctx.Err() != nil && vt.Name == "" {
					vt = results.VerifierTarget{Name: t.Name, Arch: t.Arch, Error: ctx.Err().Error()}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			run.Targets = append(run.Targets, vt)
			run.Cells = append(run.Cells, v.Cells...)
			for _, e := range v.Errors {
				for i := range run.Objects {
					if o := &run.Objects[i]; o.Build == e.Build && o.Name == e.Object && o.Error == "" {
						o.Error, o.ErrorClass = t.Name+": "+e.Error, "load"
					}
				}
			}
		})
	}
	wg.Wait()
	sortRun(run, cfg.Targets)
	run.Finished = time.Now().UTC()
	run.Elapsed = time.Since(start)
	return run, run.Validate()
}

// AnyArch is the architecture of an object that may run on any kernel.
const AnyArch = results.AnyArch

type usableObject struct {
	obj  Object
	data []byte
	sha  string
}

func (o Object) key() string { return o.Build.ID + "\x00" + o.Name }

// checkObjects reads and parses every object once, on the host, so that a
// file that is no usable eBPF object is an error of its own rather than of
// every target; it sets Err on those and returns the others.
func checkObjects(objs []Object, arches map[string]bool) map[string]usableObject {
	out := map[string]usableObject{}
	for i := range objs {
		o := &objs[i]
		if o.Err != nil {
			continue
		}
		b, err := os.ReadFile(o.Path)
		if err != nil {
			o.Err = err
			continue
		}
		if _, err := Parse(o.Path, b, binary.LittleEndian); err != nil {
			o.Err = err
			continue
		}
		if o.Build.Arch != AnyArch && !arches[o.Build.Arch] {
			o.Err = &ObjectError{Path: o.Path, Kind: ErrWrongArch, Detail: fmt.Sprintf("built for %s, and no selected target is %s", o.Build.Arch, o.Build.Arch)}
			continue
		}
		sum := sha256.Sum256(b)
		out[o.key()] = usableObject{obj: *o, data: b, sha: hex.EncodeToString(sum[:])}
	}
	return out
}

// objectErrorClass names the class of an object's error for the matrix.
func objectErrorClass(err error) string {
	switch {
	case errors.As(err, new(*toolchain.BuildError)):
		return "build"
	case errors.Is(err, ErrNotBPF):
		return "not-bpf"
	case errors.Is(err, ErrTruncated):
		return "truncated"
	case errors.Is(err, ErrWrongArch):
		return "wrong-arch"
	case errors.Is(err, ErrNoPrograms):
		return "no-programs"
	case errors.Is(err, os.ErrNotExist):
		return "missing"
	}
	return "object"
}

func runHost(t vmtests.Target, objs []usableObject, progress func(string, ...any)) (results.VerifierTarget, Verdicts) {
	start := time.Now()
	if os.Geteuid() != 0 {
		k := runningKernel()
		return results.VerifierTarget{Name: t.Name, KernelRelease: k.Release, Arch: k.Arch, BTF: k.BTF,
			Error: "not root: loading eBPF programs needs root (CAP_BPF, CAP_PERFMON)"}, Verdicts{}
	}
	progress("%s: verifying %d objects", t.Name, len(objs))
	jobs := make([]Job, len(objs))
	for i, u := range objs {
		jobs[i] = Job{Build: u.obj.Build.ID, Object: u.obj.Name, Path: u.obj.Path, Options: u.obj.Options, BTF: t.BTF}
	}
	v := RunJobs(t.Name, jobs)
	return results.VerifierTarget{Name: t.Name, KernelRelease: v.Kernel.Release, Arch: v.Kernel.Arch, BTF: v.Kernel.BTF, Elapsed: time.Since(start)}, v
}

// guestTimeout bounds a guest's boot and loads: loads are quick, but the
// verifier is slow under emulation.
func guestTimeout(t vmtests.Target, jobs int) time.Duration {
	if t.Timeout > 0 {
		return t.Timeout
	}
	return 3*time.Minute + time.Duration(jobs)*10*time.Second
}

func runGuest(ctx context.Context, cfg Config, t vmtests.Target, objs []usableObject, progress func(string, ...any)) (results.VerifierTarget, Verdicts) {
	start := time.Now()
	vt := results.VerifierTarget{Name: t.Name, Arch: t.Arch, Emulated: qemu.Emulated(t.Arch)}
	fail := func(format string, args ...any) (results.VerifierTarget, Verdicts) {
		vt.Error, vt.Elapsed = fmt.Sprintf(format, args...), time.Since(start)
		progress("%s: %s", t.Name, vt.Error)
		return vt, Verdicts{}
	}
	init, ok := cfg.GuestBinaries[t.Arch]
	if !ok {
		return fail("no static tracebench binary for %s: build one with `make build` (GOARCH=%s CGO_ENABLED=0 go build -o bin/tracebench-linux-%s ./cmd/tracebench)", t.Arch, t.Arch, t.Arch)
	}
	if cfg.Cache == nil {
		return fail("no kernel cache to fetch the guest kernel into")
	}
	progress("%s: fetching the kernel", t.Name)
	k, err := cfg.Cache.Fetch(ctx, t)
	if err != nil {
		return fail("fetch kernel: %v", err)
	}
	vt.KernelRelease = k.Release
	req := GuestRequest{Target: t.Name}
	files := map[string][]byte{}
	for i, u := range objs {
		path := fmt.Sprintf("%s/%03d-%s.o", GuestDir, i, strings.ReplaceAll(u.obj.Name, "/", "_"))
		files[path] = u.data
		req.Jobs = append(req.Jobs, Job{Build: u.obj.Build.ID, Object: u.obj.Name, Path: path, Options: u.obj.Options})
	}
	// A kernel without its own BTF is verified with the BTF the target
	// names or its build generated from DWARF (k.BTF covers both), whole:
	// the objects are not only tracebench's, so no minimized BTF.
	if k.BTF != "" {
		b, err := os.ReadFile(k.BTF)
		if err != nil {
			return fail("external BTF: %v", err)
		}
		files[GuestDir+"/btf"] = b
		for i := range req.Jobs {
			req.Jobs[i].BTF = GuestDir + "/btf"
		}
	}
	b, err := json.Marshal(req)
	if err != nil {
		return fail("%v", err)
	}
	files[GuestRequestFile] = b
	progress("%s: booting Linux %s to verify %d objects", t.Name, k.Release, len(objs))
	opts := vmtests.BootOptions{
		Init:    init,
		Args:    []string{"verify-guest", GuestRequestFile},
		Files:   files,
		Timeout: guestTimeout(t, len(objs)),
		LogDir:  cfg.LogDir,
		Memory:  cmpOr(t.Memory, "1G"),
		CPUs:    t.CPUs,
	}
	res, err := vmtests.Boot(ctx, k, opts)
	if errors.Is(err, vmtests.ErrNoInit) && ctx.Err() == nil {
		// Nothing ran: under emulation on a loaded machine a kernel can
		// fail its own boot (6.12's IO-APIC timer check panics). Once more.
		progress("%s: the kernel did not reach /init (%v); booting again", t.Name, firstLine(err.Error()))
		res, err = vmtests.Boot(ctx, k, opts)
	}
	if err != nil {
		return fail("%v", err)
	}
	var v Verdicts
	if err := json.Unmarshal(res.Output, &v); err != nil {
		return fail("guest verdicts (exit status %d): %v (console: %s)", res.ExitCode, err, res.ConsoleLog)
	}
	vt.KernelRelease, vt.BTF = v.Kernel.Release, v.Kernel.BTF
	vt.Elapsed = time.Since(start)
	progress("%s: %d verdicts in %s", t.Name, len(v.Cells), vt.Elapsed.Round(time.Second))
	return vt, v
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// sortRun orders targets as the matrix does and cells by target, build,
// object and program, so that a run's file is stable.
func sortRun(r *results.VerifierRun, targets []vmtests.Target) {
	order := map[string]int{}
	for i, t := range targets {
		order[t.Name] = i
	}
	slices.SortFunc(r.Targets, func(a, b results.VerifierTarget) int { return order[a.Name] - order[b.Name] })
	slices.SortFunc(r.Cells, func(a, b results.VerifierCell) int {
		if d := order[a.Target] - order[b.Target]; d != 0 {
			return d
		}
		return strings.Compare(a.Build+"\x00"+a.Object+"\x00"+a.Program, b.Build+"\x00"+b.Object+"\x00"+b.Program)
	})
}
