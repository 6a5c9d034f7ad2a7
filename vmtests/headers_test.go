package vmtests

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHeaders fetches the 6.1 amd64 kernel's headers from Debian: both
// packages merged into one tree with the source headers, the generated
// ones and this kernel's release, and a second call, offline, finds them
// in the cache.
func TestHeaders(t *testing.T) {
	k := defaultKernels(t)["debian:6.1/amd64"]
	c, err := OpenCache("")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := c.Headers(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	uts, err := os.ReadFile(filepath.Join(dir, "include/generated/utsrelease.h"))
	if err != nil || !strings.Contains(string(uts), `"`+k.Release+`"`) {
		t.Errorf("utsrelease.h %q (%v) is not for Linux %s", uts, err, k.Release)
	}
	for _, f := range []string{"include/linux/sched.h", "include/linux/kconfig.h", "include/generated/autoconf.h",
		"arch/x86/include/asm/ptrace.h", "arch/x86/include/generated/asm/syscalls_64.h", "arch/x86/include/generated/uapi/asm/unistd_64.h"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	offline := &Cache{Dir: c.Dir, Offline: true}
	if again, err := offline.Headers(context.Background(), k); err != nil || again != dir {
		t.Errorf("second (offline) fetch: %q, %v; want %q", again, err, dir)
	}
	local := k
	local.Package, local.Version = "", ""
	if _, err := c.Headers(context.Background(), local); !errors.Is(err, ErrNoHeaders) || !strings.Contains(err.Error(), "not a Debian package") {
		t.Errorf("headers of a local kernel: %v, want ErrNoHeaders", err)
	}
}
