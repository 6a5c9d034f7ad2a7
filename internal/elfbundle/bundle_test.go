package elfbundle

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// The bundle holds each program, the dynamic loader it names and every
// library it and they need, each with the installed file's bytes.
func TestBundle(t *testing.T) {
	programs := map[string]string{"ls": "libc.so.6"} // a program, a library it needs
	if _, err := exec.LookPath("trace-cmd"); err == nil {
		programs["trace-cmd"] = "libtracefs.so.1"
	}
	for prog, lib := range programs {
		files, err := Bundle(runtime.GOARCH, prog)
		if err != nil {
			t.Fatal(err)
		}
		bin, _ := exec.LookPath(prog)
		want, _ := os.ReadFile(bin)
		if !bytes.Equal(files[bin], want) {
			t.Errorf("%s missing or altered in the bundle", bin)
		}
		libs := map[string]bool{}
		interp := false
		for path, b := range files {
			if len(b) == 0 {
				t.Errorf("%s is empty", path)
			}
			libs[path] = true
			interp = interp || strings.Contains(path, "/ld-linux")
		}
		if p := "/lib/" + multiarch[runtime.GOARCH] + "/" + lib; !libs[p] || !interp {
			t.Errorf("%s: bundle lacks %s or the dynamic loader: %v", prog, p, libs)
		}
	}
	if _, err := Bundle(runtime.GOARCH, "ls", "no-such-program"); err == nil || !strings.Contains(err.Error(), "no-such-program") {
		t.Errorf("bundle of a missing program: %v", err)
	}
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	if _, err := Bundle(other, "ls"); err == nil {
		t.Errorf("bundle for %s from a %s machine: no error", other, runtime.GOARCH)
	}
}
