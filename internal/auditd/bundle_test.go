package auditd

import (
	"bytes"
	"os"
	"runtime"
	"testing"
)

// The bundle holds auditd, the dynamic loader it names and every library
// it and they need, each with the installed file's bytes.
func TestBundle(t *testing.T) {
	if _, err := os.Stat("/usr/sbin/auditd"); err != nil {
		t.Skip("auditd not installed (Debian package auditd)")
	}
	files, err := Bundle(runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("/usr/sbin/auditd")
	if !bytes.Equal(files["/usr/sbin/auditd"], want) {
		t.Errorf("auditd missing or altered in the bundle")
	}
	libs := map[string]bool{}
	for path, b := range files {
		if len(b) == 0 {
			t.Errorf("%s is empty", path)
		}
		libs[path] = true
	}
	for _, lib := range []string{"/lib/" + multiarch[runtime.GOARCH] + "/libaudit.so.1", "/lib/" + multiarch[runtime.GOARCH] + "/libc.so.6"} {
		if !libs[lib] {
			t.Errorf("bundle lacks %s: %v", lib, libs)
		}
	}
	if len(files) < 10 {
		t.Errorf("%d files; auditd needs more than 10 libraries", len(files))
	}
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	if _, err := Bundle(other); err == nil {
		t.Errorf("bundle for %s from a %s machine: no error", other, runtime.GOARCH)
	}
}
