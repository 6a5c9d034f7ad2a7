package guest

import (
	"os"
	"strings"
	"testing"
)

// TestReadFactsHost reads the host's facts and checks them against procfs
// and sysfs read directly.
func TestReadFactsHost(t *testing.T) {
	f, err := ReadFacts()
	if err != nil {
		t.Fatal(err)
	}
	release, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	if f.Release != strings.TrimSpace(string(release)) {
		t.Errorf("release %q, want %q", f.Release, release)
	}
	_, err = os.Stat("/sys/kernel/btf/vmlinux")
	if f.BTF != (err == nil) {
		t.Errorf("BTF %v, stat error %v", f.BTF, err)
	}
	if f.Mounts["/proc"] != "proc" || f.Mounts["/sys"] != "sysfs" {
		t.Errorf("mounts: /proc %q, /sys %q", f.Mounts["/proc"], f.Mounts["/sys"])
	}
	operstate, _ := os.ReadFile("/sys/class/net/lo/operstate")
	if f.LoopbackUp != (strings.TrimSpace(string(operstate)) != "down") {
		t.Errorf("loopback up %v, operstate %q", f.LoopbackUp, operstate)
	}
}
