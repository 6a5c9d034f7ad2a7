package qemu

import (
	"bytes"
	"os"
	"regexp"
	"strings"
)

// TailLines is how many console lines errors carry.
const TailLines = 25

// ansi matches terminal escape sequences firmware and kernels print.
var ansi = regexp.MustCompile(`\x1b(\[[0-9;?]*[a-zA-Z]|[()][AB0-2]|[=>c])`)

// panicMarker is printed by panic() in kernel/panic.c since 2.6.
const panicMarker = "Kernel panic - not syncing"

// readConsole returns the log's printable lines, without CR and escapes.
func readConsole(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	b = ansi.ReplaceAll(b, nil)
	var lines []string
	for _, l := range strings.Split(string(bytes.ReplaceAll(b, []byte("\r"), nil)), "\n") {
		if l = strings.TrimRight(l, " \t"); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// panicked reports whether the console shows a kernel panic, and returns the
// lines from the panic message on (or the tail, if that is shorter).
func panicked(lines []string) (bool, []string) {
	for i, l := range lines {
		if strings.Contains(l, panicMarker) {
			start := max(0, min(i-5, len(lines)-TailLines))
			return true, lines[start:]
		}
	}
	return false, nil
}

func tail(lines []string) []string {
	return lines[max(0, len(lines)-TailLines):]
}
