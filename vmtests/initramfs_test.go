package vmtests

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cavaliergopher/cpio"

	"github.com/tracebench/tracebench/vmtests/guest"
)

type cpioEntry struct {
	mode cpio.FileMode
	data []byte
}

func readArchive(t *testing.T, b []byte) (map[string]cpioEntry, []string) {
	t.Helper()
	r := cpio.NewReader(bytes.NewReader(b))
	entries := map[string]cpioEntry{}
	var order []string
	for {
		h, err := r.Next()
		if err == io.EOF {
			return entries, order
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		entries["/"+h.Name] = cpioEntry{h.Mode, data}
		order = append(order, "/"+h.Name)
	}
}

// TestInitramfs builds the archive for a real Debian kernel and checks every
// entry, its mode, the module load order and the guest's command line.
func TestInitramfs(t *testing.T) {
	k := defaultKernels(t)["debian:6.1/amd64"]
	init := initBinary(t, "amd64")
	var buf bytes.Buffer
	opts := BootOptions{Init: init, Args: []string{"vm", "selftest", "--exit", "3"},
		Files: map[string][]byte{"/tracebench/request.json": []byte(`{"cells":[]}`)}}
	if err := buildInitramfs(&buf, k, opts); err != nil {
		t.Fatal(err)
	}
	entries, order := readArchive(t, buf.Bytes())
	dir, reg, chr := cpio.FileMode(cpio.TypeDir), cpio.FileMode(cpio.TypeReg), cpio.FileMode(cpio.TypeChar)
	want := map[string]cpio.FileMode{
		"/dev": dir | 0o755, "/proc": dir | 0o755, "/sys": dir | 0o755, "/tmp": dir | 0o755, "/run": dir | 0o755, "/bin": dir | 0o755,
		"/dev/console": chr | 0o600, "/init": reg | 0o755,
		"/lib": dir | 0o755, "/lib/modules": dir | 0o755, "/tracebench": dir | 0o755,
		guest.ModulesFile: reg | 0o644, guest.ArgsFile: reg | 0o644, "/tracebench/request.json": reg | 0o644,
	}
	var wantOrder []string
	for _, m := range k.Modules {
		name := "/lib/modules/" + filepath.Base(m)
		want[name] = reg | 0o644
		wantOrder = append(wantOrder, name)
	}
	for name, mode := range want {
		if e, ok := entries[name]; !ok || e.mode != mode {
			t.Errorf("%s: mode %v (present %v), want %v", name, e.mode, ok, mode)
		}
	}
	for name := range entries {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected entry %s", name)
		}
	}
	initBytes, _ := os.ReadFile(init)
	if !bytes.Equal(entries["/init"].data, initBytes) {
		t.Error("/init differs from the binary")
	}
	for _, m := range k.Modules {
		b, _ := os.ReadFile(m)
		if !bytes.Equal(entries["/lib/modules/"+filepath.Base(m)].data, b) {
			t.Errorf("module %s differs", m)
		}
	}
	if got := strings.Fields(string(entries[guest.ModulesFile].data)); !slices.Equal(got, wantOrder) || len(got) != 6 {
		t.Errorf("module order %q, want %q", got, wantOrder)
	}
	var args []string
	if err := json.Unmarshal(entries[guest.ArgsFile].data, &args); err != nil || !slices.Equal(args, opts.Args) {
		t.Errorf("args %q (%v), want %q", args, err, opts.Args)
	}
	// Parents come before their children, as the kernel's unpacker needs.
	for i, name := range order {
		if parent := filepath.Dir(name); parent != "/" && slices.Index(order, parent) > i {
			t.Errorf("%s comes before its directory", name)
		}
	}
	if string(entries["/tracebench/request.json"].data) != `{"cells":[]}` {
		t.Error("caller's file lost")
	}
}

// TestInitramfsShares: a guest with shares gets them listed and 9p's
// modules after the others; a bad share is refused with its fault named.
func TestInitramfsShares(t *testing.T) {
	k := defaultKernels(t)["debian:6.1/amd64"]
	opts := BootOptions{Init: initBinary(t, "amd64"), Shares: []Share{{Tag: "hostroot", Path: "/", Mount: "/host"}, {Tag: "h", Path: t.TempDir(), Mount: "/run/h"}}}
	var buf bytes.Buffer
	if err := buildInitramfs(&buf, k, opts); err != nil {
		t.Fatal(err)
	}
	entries, _ := readArchive(t, buf.Bytes())
	if got := string(entries[guest.SharesFile].data); got != "hostroot /host\nh /run/h\n" {
		t.Errorf("shares file %q", got)
	}
	got := strings.Fields(string(entries[guest.ModulesFile].data))
	want := moduleNames(append(slices.Clone(k.Modules), k.ShareModules...))
	if !slices.Equal(moduleNames(got), want) || !slices.Contains(want, "9pnet_virtio") {
		t.Errorf("modules %q, want %q", moduleNames(got), want)
	}
	for _, c := range []struct {
		share Share
		want  string
	}{
		{Share{Tag: "a b", Path: "/", Mount: "/x"}, "tag"},
		{Share{Tag: "a", Path: "/", Mount: "x"}, "absolute"},
		{Share{Tag: "a", Path: "/nonexistent", Mount: "/x"}, "not a directory"},
	} {
		opts.Shares = []Share{c.share}
		if err := buildInitramfs(new(bytes.Buffer), k, opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("share %+v: %v, want an error naming the %s", c.share, err, c.want)
		}
	}
	opts.Shares = []Share{{Tag: "a", Path: "/", Mount: "/x"}}
	no9p := k
	no9p.ShareModules, no9p.Config = nil, filepath.Join(t.TempDir(), "config")
	os.WriteFile(no9p.Config, []byte("CONFIG_9P_FS=y\n# CONFIG_NET_9P_VIRTIO is not set\n"), 0o644)
	if err := buildInitramfs(new(bytes.Buffer), no9p, opts); err == nil || !strings.Contains(err.Error(), "no 9p over virtio") {
		t.Errorf("shares with a kernel without 9p: %v", err)
	}
	os.WriteFile(no9p.Config, []byte("CONFIG_9P_FS=y\nCONFIG_NET_9P_VIRTIO=y\n"), 0o644)
	if !no9p.CanShare() {
		t.Error("a kernel with 9p and its virtio transport built in cannot share")
	}
}
