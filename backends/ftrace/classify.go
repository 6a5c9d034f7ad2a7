package ftrace

import (
	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/internal/tracefs"
)

// unsupportedClasses maps the tracefs failures that mean "this kernel
// cannot" to their reason class. The others (busy: a leftover instance or
// probe; bad input; failed) are failures of the run, not properties of the
// kernel.
var unsupportedClasses = map[tracefs.Class]backends.Class{
	tracefs.ClassMissingConfig: backends.MissingConfig,
	tracefs.ClassNotMounted:    backends.MissingConfig, // Open mounts; this means no tracefs at all
	tracefs.ClassPermission:    backends.Permission,
	tracefs.ClassMissingSymbol: backends.MissingSymbol,
}

// unsupported returns err as an *backends.Unsupported when its class says
// the kernel cannot do what was asked, and err unchanged otherwise.
func unsupported(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := backends.AsUnsupported(err); ok {
		return err
	}
	if c, ok := unsupportedClasses[tracefs.ClassOf(err)]; ok {
		return backends.Unsupportedf(c, "%v", err)
	}
	return err
}

// Classify turns any Setup or Attach error into a reason, class Failed
// when it says nothing about the kernel's support.
func Classify(err error) *backends.Unsupported {
	if u, ok := backends.AsUnsupported(unsupported(err)); ok {
		return u
	}
	return backends.Unsupportedf(backends.Failed, "%v", err)
}
