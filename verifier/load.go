package verifier

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/tracebench/tracebench/internal/ksym"
	"github.com/tracebench/tracebench/results"
)

// Options say how to load an object's programs.
type Options struct {
	// Variables set global constants (volatile const) before loading, so
	// that the verifier sees the branches a real loader would enable
	// (the verifier prunes branches on frozen .rodata values).
	Variables map[string]uint64 `json:"variables,omitempty"`
	// AttachTo lists, per program, candidate kernel functions for a
	// tracing program (fentry, fexit) whose section names no real target:
	// the first with a BTF FUNC entry in the kernel is used.
	AttachTo map[string][]string `json:"attach_to,omitempty"`
	// KernelTypes is external BTF for kernels without their own.
	KernelTypes *btf.Spec `json:"-"`
}

// logLines is how many lines of the verifier log a refusal keeps, and
// lineMax how much of each: enough for the message and the instructions
// that led to it.
const (
	logLines = 12
	lineMax  = 240
)

// Verify loads every program of spec, one at a time so that one refusal
// hides no other, with the maps created once. It returns one cell per
// program (Target, Build and Object left for the caller), or an error for
// an object that cannot be loaded at all (a variable it does not have).
func Verify(spec *ebpf.CollectionSpec, opts Options) ([]results.VerifierCell, error) {
	spec = spec.Copy()
	for name, v := range opts.Variables {
		if err := setVariable(spec, name, v); err != nil {
			return nil, err
		}
	}
	if opts.KernelTypes == nil {
		// Loaded once here (cilium/ebpf caches it), not inside the first
		// timed load.
		if kt, err := btf.LoadKernelSpec(); err == nil {
			opts.KernelTypes = kt
		}
	}
	var cells []results.VerifierCell
	maps, mapErr := createMaps(spec)
	if maps != nil {
		defer maps.Close()
	}
	if mapErr != nil && classifyErr(mapErr) == Other {
		// Not the kernel's refusal of a map type: nothing was verified.
		return nil, mapErr
	}
	names := sortedKeys(spec.Programs)
	if mapErr == nil {
		// The first load of an object builds caches (kernel types for
		// CO-RE): keep that out of the first program's load time.
		loadOne(&results.VerifierCell{}, spec, spec.Programs[names[0]], maps, opts)
	}
	for _, name := range names {
		p := spec.Programs[name]
		c := results.VerifierCell{Program: name, Section: p.SectionName, Type: p.Type.String(), Insns: int(p.Instructions.Size() / 8)}
		switch {
		case mapErr != nil:
			unsupported(&c, Map, mapErr.Error())
		default:
			loadOne(&c, spec, p, maps, opts)
		}
		cells = append(cells, c)
	}
	return cells, nil
}

// setVariable sets a global constant, with the width the object gave it.
func setVariable(spec *ebpf.CollectionSpec, name string, v uint64) error {
	vs, ok := spec.Variables[name]
	if !ok {
		return fmt.Errorf("variable %s: not in the object", name)
	}
	var err error
	switch vs.Size() {
	case 1:
		err = vs.Set(uint8(v))
	case 2:
		err = vs.Set(uint16(v))
	case 4:
		err = vs.Set(uint32(v))
	case 8:
		err = vs.Set(v)
	default:
		err = fmt.Errorf("%d bytes wide: only 1, 2, 4 and 8 can be set", vs.Size())
	}
	if err != nil {
		return fmt.Errorf("variable %s: %w", name, err)
	}
	return nil
}

// createMaps creates the object's maps once, for every program load to
// share (program arrays stay empty: their programs are loaded one by one).
func createMaps(spec *ebpf.CollectionSpec) (*ebpf.Collection, error) {
	ms := &ebpf.CollectionSpec{Maps: map[string]*ebpf.MapSpec{}, Variables: spec.Variables, Types: spec.Types, ByteOrder: spec.ByteOrder}
	for name, m := range spec.Maps {
		m = m.Copy()
		if m.Type == ebpf.ProgramArray {
			m.Contents = nil
		}
		ms.Maps[name] = m
	}
	coll, err := ebpf.NewCollection(ms)
	if err != nil {
		return nil, fmt.Errorf("create maps: %w", err)
	}
	return coll, nil
}

// loadOne loads program p and fills c with the verdict.
func loadOne(c *results.VerifierCell, spec *ebpf.CollectionSpec, p *ebpf.ProgramSpec, maps *ebpf.Collection, opts Options) {
	p = p.Copy()
	if cands := opts.AttachTo[p.Name]; len(cands) > 0 {
		fn, err := attachTarget(cands, opts.KernelTypes)
		if err != nil {
			unsupported(c, AttachTarget, err.Error())
			return
		}
		p.AttachTo = fn
	}
	c.AttachTo = p.AttachTo
	one := &ebpf.CollectionSpec{Maps: spec.Maps, Programs: map[string]*ebpf.ProgramSpec{p.Name: p}, Types: spec.Types, ByteOrder: spec.ByteOrder}
	copts := ebpf.CollectionOptions{MapReplacements: maps.Maps}
	copts.Programs.KernelTypes = opts.KernelTypes
	copts.Programs.LogLevel = ebpf.LogLevelStats
	start := time.Now()
	coll, err := ebpf.NewCollectionWithOptions(one, copts)
	c.Load = time.Since(start)
	if err == nil {
		defer coll.Close()
		c.Status = results.VerdictAccepted
		prog := coll.Programs[p.Name]
		if info, ierr := prog.Info(); ierr == nil {
			if n, ok := info.VerifiedInstructions(); ok {
				c.VerifiedInsns, c.InsnsSource = int(n), "prog_info"
				return
			}
		}
		if n, ok := processed(strings.Split(prog.VerifierLog, "\n")); ok {
			c.VerifiedInsns, c.InsnsSource = n, "log"
		}
		return
	}
	// Again with the branch-level log: the instructions that led to the
	// refusal, not only its message.
	copts.Programs.LogLevel = ebpf.LogLevelBranch | ebpf.LogLevelStats
	if coll, rerr := ebpf.NewCollectionWithOptions(one, copts); rerr == nil {
		coll.Close() // cannot happen: the kernel refused the same program
	} else {
		err = rerr
	}
	refuse(c, err)
}

// refuse fills c with a refusal. With a verifier log, the verifier
// refused: the lines that explain it, classified. Without, the kernel
// refused the program before verifying it: unsupported, classified by the
// error.
func refuse(c *results.VerifierCell, err error) {
	var ve *ebpf.VerifierError
	var lines []string
	if errors.As(err, &ve) {
		lines = explanation(ve.Log)
		if n, ok := processed(ve.Log); ok {
			c.VerifiedInsns, c.InsnsSource = n, "log"
		}
	}
	if len(lines) == 0 {
		unsupported(c, classifyErr(err), err.Error())
		switch {
		case strings.Contains(err.Error(), "load kernel spec"):
			// No kernel BTF to relocate against (and none given).
			c.Class = string(BTF)
		case c.AttachTo != "" && errors.Is(err, ebpf.ErrNotSupported) && !kernelHasBTF():
			// A tracing program's target is named by an ID in the kernel's
			// own BTF, which external BTF cannot stand in for.
			c.Class = string(BTF)
			c.Detail = "the kernel has no BTF of its own, where a tracing program's attach target must be: " + c.Detail
		case c.AttachTo != "" && errors.Is(err, ebpf.ErrNotSupported):
			// cilium/ebpf reports a target missing from the kernel's BTF so.
			c.Class = string(AttachTarget)
		}
		return
	}
	c.Status, c.Log = results.VerdictRefused, lines
	c.Detail = lines[len(lines)-1]
	cl, ok := classifyLog(lines)
	if !ok {
		cl = Other
		c.Detail += " (" + ve.Cause.Error() + ")"
	}
	c.Class = string(cl)
}

// kernelHasBTF reports whether the running kernel exposes its own BTF.
func kernelHasBTF() bool {
	_, err := os.Stat("/sys/kernel/btf/vmlinux")
	return err == nil
}

// unsupported marks c as refused before any verification.
func unsupported(c *results.VerifierCell, class Class, detail string) {
	c.Status, c.Class, c.Detail = results.VerdictUnsupported, string(class), detail
}

// attachTarget picks the first candidate with a BTF FUNC entry.
func attachTarget(cands []string, external *btf.Spec) (string, error) {
	spec := external
	if spec == nil {
		var err error
		if spec, err = btf.LoadKernelSpec(); err != nil {
			return "", fmt.Errorf("attach target: no kernel BTF: %w", err)
		}
	}
	return ksym.FirstBTFFunc(spec, cands)
}

// statsLine matches the verifier's closing statistics lines.
var statsLine = regexp.MustCompile(`^(processed \d+ insns|verification time|stack depth|max_states_per_insn|mark_read)`)

var processedRe = regexp.MustCompile(`processed (\d+) insns`)

// processed reads "processed N insns" from a log (every kernel since 5.2
// prints it at LogLevelStats).
func processed(log []string) (int, bool) {
	for i := len(log) - 1; i >= 0; i-- {
		if m := processedRe.FindStringSubmatch(log[i]); m != nil {
			n, err := strconv.Atoi(m[1])
			return n, err == nil
		}
	}
	return 0, false
}

// explanation is the end of a refusal's log without the statistics: the
// message and the instructions just before it.
func explanation(log []string) []string {
	end := len(log)
	for end > 0 && (strings.TrimSpace(log[end-1]) == "" || statsLine.MatchString(log[end-1])) {
		end--
	}
	start := max(0, end-logLines)
	out := make([]string, 0, end-start)
	for _, l := range log[start:end] {
		if len(l) > lineMax {
			l = l[:lineMax] + "…"
		}
		out = append(out, l)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
