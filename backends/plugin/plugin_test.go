package plugin_test

import (
	"os/exec"
	"slices"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/plugin"
	"github.com/tracebench/tracebench/internal/testutil"
)

// A backend's traits cross the plugin protocol: the harness learns from a
// running plugin's Describe that it enables audit or drives a tool.
func TestTraitsOverTheProtocol(t *testing.T) {
	bin := testutil.Binary(t)
	for name, want := range map[string]backends.Traits{
		"ebpf/tracepoint":  {},
		"audit/netlink":    {Audit: true},
		"audit/auditd":     {Audit: true, GuestTools: []string{"auditd"}},
		"ftrace/trace-cmd": {GuestTools: []string{"trace-cmd"}},
	} {
		proc, err := plugin.Start(exec.Command(bin, "backend", "serve", name), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d, err := proc.Describe(t.Context())
		proc.Kill()
		if err != nil {
			t.Fatalf("%s: describe: %v", name, err)
		}
		if d.Name != name || d.Traits.Audit != want.Audit || !slices.Equal(d.Traits.GuestTools, want.GuestTools) {
			t.Errorf("%s described itself as %q with traits %+v, want %+v", name, d.Name, d.Traits, want)
		}
	}
}
