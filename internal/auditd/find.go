package auditd

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// FindByConfig returns the auditd processes running with configuration
// directory dir (started as "auditd … -c dir", as Start does). A journal
// records the directory before the daemon exists, so that a later run can
// find and stop a daemon left by a crash between its start and the record
// of its pid.
func FindByConfig(dir string) ([]Identity, error) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []Identity
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err != nil || !runsWithConfig(b, dir) {
			continue // gone, or another program
		}
		st, err := startTime(pid)
		if err != nil {
			continue
		}
		out = append(out, Identity{PID: pid, StartTime: st})
	}
	return out, nil
}

// runsWithConfig reports whether a NUL-separated command line is auditd's
// with "-c dir".
func runsWithConfig(cmdline []byte, dir string) bool {
	args := bytes.Split(bytes.TrimSuffix(cmdline, []byte{0}), []byte{0})
	if len(args) == 0 || filepath.Base(string(args[0])) != "auditd" {
		return false
	}
	for i := 1; i+1 < len(args); i++ {
		if string(args[i]) == "-c" && string(args[i+1]) == dir {
			return true
		}
	}
	return false
}
