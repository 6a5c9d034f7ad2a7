// Package bcc_test runs the Python BCC plugins through tracebench's plugin
// protocol: the go-plugin handshake of a non-Go plugin, its answers, its
// classified reasons and its shutdown.
package bcc_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/plugin"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
)

// haveHeaders says whether BCC can compile here: the running kernel's
// headers, where BCC looks for them.
func haveHeaders() bool {
	var u syscall.Utsname
	syscall.Uname(&u)
	var rel []byte
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		rel = append(rel, byte(c))
	}
	for _, p := range []string{"/lib/modules/" + string(rel) + "/build", "/sys/kernel/kheaders.tar.xz"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

func TestPythonPlugin(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Clean(t)
	for _, kind := range []string{"tracepoint", "kprobe"} {
		t.Run(kind, func(t *testing.T) {
			var log bytes.Buffer
			path, err := filepath.Abs("bcc-" + kind)
			if err != nil {
				t.Fatal(err)
			}
			proc, err := plugin.Start(exec.Command(path), &log)
			if err != nil {
				t.Fatalf("handshake: %v\n%s", err, log.String())
			}
			pid := proc.PID()
			d, err := proc.Describe(t.Context())
			if err != nil || d.Name != "bcc/"+kind || len(d.Probes) != len(event.All) {
				t.Errorf("describe: %+v, %v", d, err)
			}
			sup, err := proc.Probe(t.Context(), backends.ProbeRequest{Events: []event.Event{event.Getppid}, Modes: []backends.Mode{backends.Count, backends.Stream}})
			if err != nil || len(sup) != 2 {
				t.Fatalf("probe: %+v, %v\n%s", sup, err, log.String())
			}
			if r := sup[1].Reason; r == nil || r.Class != backends.NotApplicable {
				t.Errorf("stream mode: %v, want not-applicable", r)
			}
			if !haveHeaders() {
				// The host: no headers for its kernel. The reason comes
				// from the Python plugin, over the protocol, classified.
				if r := sup[0].Reason; r == nil || r.Class != backends.MissingTool || !strings.Contains(r.Detail, "headers") {
					t.Errorf("probe without kernel headers: %v, want missing-tool naming the headers", r)
				}
				// An error from Setup travels as a gRPC status with the
				// Reason in its details.
				_, err := proc.Setup(t.Context(), backends.Setup{Events: []event.Event{event.Getppid}, Mode: backends.Count,
					Filter: backends.Filter{CgroupPath: "/sys/fs/cgroup", PID: os.Getpid()}})
				if u, ok := backends.AsUnsupported(err); !ok || u.Class != backends.MissingTool {
					t.Errorf("setup without kernel headers: %v, want missing-tool", err)
				}
			} else if sup[0].Reason != nil && !(kind == "kprobe" && sup[0].Reason.Class == backends.MissingConfig) {
				t.Errorf("probe with kernel headers: %v", sup[0].Reason)
			}
			proc.Kill()
			if !proc.Exited() {
				t.Fatal("plugin still running after Kill")
			}
			// go-plugin asked it to shut down (GRPCController): a clean exit.
			if st := proc.ExitStatus(); st != "exit status 0" {
				t.Errorf("plugin ended with %q, want a clean exit\n%s", st, log.String())
			}
			if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("process %d still exists", pid)
			}
		})
	}
}
