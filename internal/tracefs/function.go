package tracefs

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
)

// The function tracer (ftrace.rst) hooks kernel functions through the
// mcount/fentry call sites compiled into every traceable function and
// patched live (CONFIG_DYNAMIC_FTRACE). Its files exist only with
// CONFIG_FUNCTION_TRACER; a kernel may still refuse them to root.

// FunctionEvent is the trace event the function tracer records, one per
// call of a filtered function.
var FunctionEvent = Event{Group: "ftrace", Name: "function"}

// refusedHint explains EPERM from the function tracer's files: on a kernel
// in lockdown "confidentiality" mode tracefs itself is refused; a kernel
// that refuses only the function hooks was built or patched to.
const refusedHint = "the kernel refuses function tracing to root (lockdown=confidentiality, or a restricted build)"

// functionError marks a permission failure of a function tracer file with
// refusedHint.
func functionError(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Class == ClassPermission && e.Detail == "" {
		e.Detail = refusedHint
	}
	return err
}

// FilterFunctions returns those of candidates the function tracer can hook
// (listed in available_filter_functions), in candidates' order.
func (fs *FS) FilterFunctions(candidates []string) ([]string, error) {
	b, err := readFile(fs.path("available_filter_functions"))
	if err != nil {
		return nil, functionError(err)
	}
	want := map[string]bool{}
	for _, c := range candidates {
		want[c] = true
	}
	have := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// "do_sys_openat2" or "xfs_open [xfs]"
		name, _, _ := strings.Cut(sc.Text(), " ")
		if want[name] {
			have[name] = true
		}
	}
	var out []string
	for _, c := range candidates {
		if have[c] {
			out = append(out, c)
			delete(have, c)
		}
	}
	return out, nil
}

// SetTracer selects the instance's tracer (current_tracer): "function",
// or "nop" for none.
func (in *Instance) SetTracer(name string) error {
	if !validName(name, "") {
		return badInput("set tracer", in.path("current_tracer"), "tracer name %q", name)
	}
	return functionError(writeFile(in.path("current_tracer"), name))
}

// SetFtraceFilter limits the function tracer of the instance to funcs
// (set_ftrace_filter). No funcs removes the limit: every traceable function
// is then hooked, which is rarely what a caller wants.
func (in *Instance) SetFtraceFilter(funcs ...string) error {
	p := in.path("set_ftrace_filter")
	for _, f := range funcs {
		if !validName(f, ".") {
			return badInput("set ftrace filter", p, "function name %q", f)
		}
	}
	err := in.fs.explained(func() error { return writeFile(p, strings.Join(funcs, " ")) })
	var e *Error
	if errors.As(err, &e) && e.Class == ClassBadInput {
		e.Class = ClassMissingSymbol // the kernel rejects names it cannot hook with EINVAL
	}
	return functionError(err)
}

// SetFtracePIDs limits the function tracer of the instance to the given
// tasks (set_ftrace_pid); with followForks (options/function-fork, Linux
// 4.20+) their children are added as they fork. No pids removes the limit.
func (in *Instance) SetFtracePIDs(followForks bool, pids ...int) error {
	if err := in.SetOption("function-fork", followForks); err != nil {
		return functionError(err)
	}
	return functionError(writePIDs(in.path("set_ftrace_pid"), pids))
}
