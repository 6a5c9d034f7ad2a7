package backends

import (
	"errors"
	"fmt"
)

// Class classifies why a backend cannot observe something on a kernel.
// Unsupported is a result, not a failure: reports show the class.
type Class string

const (
	// MissingConfig: the kernel was built without the feature
	// (e.g. CONFIG_KPROBES, CONFIG_FUNCTION_TRACER).
	MissingConfig Class = "missing-config"
	// Permission: the kernel refuses even root (lockdown, a restricted
	// build, perf_event_paranoid).
	Permission Class = "permission"
	// MissingSymbol: no kernel function or tracepoint from the candidate
	// list exists on this kernel.
	MissingSymbol Class = "missing-symbol"
	// MissingBTF: the kernel has no BTF and none was given.
	MissingBTF Class = "missing-btf"
	// NoPMU: no hardware performance monitoring unit (or no LBR).
	NoPMU Class = "no-pmu"
	// MissingTool: a user-space tool the backend drives is not installed.
	MissingTool Class = "missing-tool"
	// NotApplicable: the data source has no way to observe this event.
	NotApplicable Class = "not-applicable"
	// Failed: the attempt failed for a reason not classified above.
	Failed Class = "failed"
)

// Classes lists every class, for validation.
var Classes = []Class{MissingConfig, Permission, MissingSymbol, MissingBTF, NoPMU, MissingTool, NotApplicable, Failed}

// Unsupported is the error a backend returns when the kernel cannot do
// what was asked. Callers classify it with errors.As, never by its text.
type Unsupported struct {
	Class  Class
	Detail string
}

func (u *Unsupported) Error() string { return string(u.Class) + ": " + u.Detail }

// Unsupportedf returns an *Unsupported of class c.
func Unsupportedf(c Class, format string, args ...any) *Unsupported {
	return &Unsupported{Class: c, Detail: fmt.Sprintf(format, args...)}
}

// AsUnsupported returns the *Unsupported in err's chain, if any.
func AsUnsupported(err error) (*Unsupported, bool) {
	var u *Unsupported
	ok := errors.As(err, &u)
	return u, ok
}
