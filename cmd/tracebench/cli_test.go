package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/internal/testutil"
)

// Bad names and flags get a clear error and a non-zero exit, before any
// kernel state is touched.
func TestBadInput(t *testing.T) {
	bin := testutil.Binary(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--backend", "ebpf/nonsense"}, `unknown backend "ebpf/nonsense"`},
		{[]string{"run", "--event", "getpid"}, `unknown event "getpid"`},
		{[]string{"run", "--budget", "10ms", "--out", t.TempDir()}, "too short"},
		{[]string{"run", "--budget", "soon"}, `invalid argument "soon"`},
		{[]string{"run", "--option", "novalue"}, `want KEY=VALUE`},
		{[]string{"run", "--frobnicate"}, "unknown flag: --frobnicate"},
		{[]string{"report"}, "accepts 1 arg"},
		{[]string{"report", "/nonexistent"}, "/nonexistent/results.json"},
		{[]string{"nosuchcommand"}, `unknown command "nosuchcommand"`},
	} {
		out, err := exec.Command(bin, c.args...).CombinedOutput()
		if err == nil {
			t.Errorf("%v: exit 0, want failure", c.args)
			continue
		}
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
			t.Errorf("%v: %v", c.args, err)
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("%v: output %q lacks %q", c.args, out, c.want)
		}
	}
}

func TestHelpExplains(t *testing.T) {
	out, err := exec.Command(testutil.Binary(t), "run", "--help").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"overhead", "collateral", "coverage", "unexplained", "--budget", "--event"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("run --help lacks %q", w)
		}
	}
}
