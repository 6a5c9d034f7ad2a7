package tracefs

import (
	"errors"
	"strings"
)

// explained runs a tracefs write and, if the kernel rejects it, adds the
// kernel's explanation to the error: the "error:" entry that the filter,
// probe and trigger parsers append to error_log (Linux 5.4+). Entries carry
// a timestamp, so an entry present before the write is never mistaken for
// this write's. error_log is global and only read.
func (fs *FS) explained(write func() error) error {
	before := fs.lastLoggedError()
	err := write()
	var e *Error
	if !errors.As(err, &e) || e.Op != "write" {
		return err
	}
	if after := fs.lastLoggedError(); after != "" && after != before {
		_, msg, _ := strings.Cut(after, " error: ")
		e.Detail = "kernel: " + strings.TrimSpace(msg)
	}
	return err
}

// lastLoggedError is the last "error:" line of error_log, "" if none (or no
// error_log on this kernel).
func (fs *FS) lastLoggedError() string {
	b, err := readFile(fs.path("error_log"))
	if err != nil {
		return ""
	}
	lines := strings.Split(string(b), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], " error: ") {
			return lines[i]
		}
	}
	return ""
}
