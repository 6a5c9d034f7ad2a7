package frontend

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of /proc/<pid>/stat times (100 on every
// Linux architecture tracebench runs on).
const clockTick = 10 * time.Millisecond

// groupCPU is the CPU time (user + system, own and of reaped children)
// of every live process in process group pgid, read from /proc.
func groupCPU(pgid int) time.Duration {
	var total time.Duration
	eachProcess(func(pid int) {
		f := statFields(pid)
		// fields after the command: state(0) ppid(1) pgrp(2) … utime(11)
		// stime(12) cutime(13) cstime(14)
		if len(f) < 15 || f[2] != strconv.Itoa(pgid) {
			return
		}
		for _, i := range []int{11, 12, 13, 14} {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			total += time.Duration(n) * clockTick
		}
	})
	return total
}

// Remaining lists the processes still running (zombies aside) that were
// started with MarkerEnv=marker, or by one that was.
func Remaining(marker string) []int {
	want := []byte("\x00" + MarkerEnv + "=" + marker + "\x00")
	var out []int
	eachProcess(func(pid int) {
		if f := statFields(pid); len(f) == 0 || f[0] == "Z" {
			return
		}
		env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if err == nil && bytes.Contains(append(append([]byte{0}, env...), 0), want) {
			out = append(out, pid)
		}
	})
	return out
}

func eachProcess(f func(pid int)) {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if pid, err := strconv.Atoi(filepath.Base(d)); err == nil {
			f(pid)
		}
	}
}

// statFields returns the fields of /proc/<pid>/stat after the command
// name (which may hold spaces and parentheses).
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// blockedIn says where each process of group pgid waits, from
// /proc/<pid>/wchan: what a tool that never gets ready is stuck on (a
// kernel lock, a pipe, a poll; 0 when running).
func blockedIn(pgid int) string {
	var out []string
	eachProcess(func(pid int) {
		if f := statFields(pid); len(f) > 2 && f[2] == strconv.Itoa(pgid) {
			w, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/wchan")
			out = append(out, fmt.Sprintf("pid %d state %s waits in %s", pid, f[0], cmp.Or(string(w), "?")))
		}
	})
	return strings.Join(out, "; ")
}
