package tracefs

import (
	"os"
	"strconv"
	"strings"
)

// readFile reads a whole tracefs file. tracefs reports a size of 0 for its
// files, so the read goes on until EOF.
func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	return b, wrap("read", path, err)
}

// writeFile replaces a tracefs file's content with s in a single write(2):
// the kernel parses each write on its own. O_TRUNC matters for list files
// (set_event_pid, set_ftrace_filter): it clears the list first. There is
// no O_CREAT, so a missing file fails with ENOENT, not EACCES.
func writeFile(path, s string) error {
	return write(path, s, os.O_WRONLY|os.O_TRUNC)
}

// appendFile adds s to a tracefs list file (kprobe_events, uprobe_events)
// without clearing what others put there.
func appendFile(path, s string) error {
	return write(path, s, os.O_WRONLY|os.O_APPEND)
}

func write(path, s string, flag int) error {
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return wrap("open", path, err)
	}
	var werr error
	if s != "" { // opening with O_TRUNC alone clears a list
		_, werr = f.WriteString(s)
	}
	cerr := f.Close()
	if werr != nil {
		return wrap("write", path, werr)
	}
	return wrap("close", path, cerr)
}

// readUint reads a file holding one unsigned number, possibly followed by
// more text ("1410" or "7 (expanded: 1408)").
func readUint(path string) (uint64, error) {
	b, err := readFile(path)
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, badInput("parse", path, "empty file")
	}
	v, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return 0, badInput("parse", path, "%v", err)
	}
	return v, nil
}

// writeBool writes "1" or "0", the tracefs spelling of on and off.
func writeBool(path string, on bool) error {
	if on {
		return writeFile(path, "1")
	}
	return writeFile(path, "0")
}

// exists reports whether a tracefs file or directory exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
