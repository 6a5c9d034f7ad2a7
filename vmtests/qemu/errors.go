package qemu

import (
	"errors"
	"fmt"
	"strings"
)

// Classes of guest failures; test them with errors.Is.
var (
	// ErrMissing: the qemu binary for the guest architecture is not installed.
	ErrMissing = errors.New("qemu is not installed")
	// ErrTimeout: the guest ran past its deadline and was killed.
	ErrTimeout = errors.New("guest timed out")
	// ErrPanic: the guest kernel panicked.
	ErrPanic = errors.New("guest kernel panicked")
	// ErrFailed: qemu itself exited with an error (bad option, unusable image).
	ErrFailed = errors.New("qemu failed")
)

// MissingError names the binary and the Debian package that provides it.
type MissingError struct {
	Binary  string
	Package string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s not found in PATH: install Debian's %s package (apt-get install %s)", e.Binary, e.Package, e.Package)
}

func (e *MissingError) Unwrap() error { return ErrMissing }

// Error is a guest that did not run to its end, with the evidence: the
// console log and its last lines.
type Error struct {
	Kind        error // ErrTimeout, ErrPanic, ErrFailed, or a caller's class
	Detail      string
	ConsoleLog  string
	ConsoleTail []string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if len(e.ConsoleTail) > 0 {
		fmt.Fprintf(&b, "; last console lines (%s):", e.ConsoleLog)
		for _, l := range e.ConsoleTail {
			b.WriteString("\n\t" + l)
		}
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Kind }
