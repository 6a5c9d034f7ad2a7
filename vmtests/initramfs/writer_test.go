package initramfs

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/cavaliergopher/cpio"
)

type entry struct {
	name string
	mode cpio.FileMode
	data string
}

// list reads an archive back with an independent cpio reader.
func list(t *testing.T, archive []byte) []entry {
	t.Helper()
	r := cpio.NewReader(bytes.NewReader(archive))
	var out []entry
	for {
		h, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{h.Name, h.Mode, string(data)})
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.Dir("/proc", 0o555))
	must(w.CharDev("/dev/console", 0o600, 5, 1))
	must(w.File("/init", []byte("#!binary"), 0o755))
	must(w.File("/a/b/c.txt", []byte("hello"), 0o644))
	must(w.Close())
	if buf.Len()%4 != 0 {
		t.Errorf("archive length %d is not a multiple of 4", buf.Len())
	}
	want := []entry{
		{"proc", cpio.TypeDir | 0o555, ""},
		{"dev", cpio.TypeDir | 0o755, ""},
		{"dev/console", cpio.TypeChar | 0o600, ""},
		{"init", cpio.TypeReg | 0o755, "#!binary"},
		{"a", cpio.TypeDir | 0o755, ""},
		{"a/b", cpio.TypeDir | 0o755, ""},
		{"a/b/c.txt", cpio.TypeReg | 0o644, "hello"},
	}
	got := list(t, buf.Bytes())
	if len(got) != len(want) {
		t.Fatalf("archive lists %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestWriterDeviceNumbers(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.CharDev("/dev/console", 0o600, 5, 1); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// rdevmajor and rdevminor are the 10th and 11th eight-digit fields.
	h := buf.String()
	h = h[bytes.Index(buf.Bytes(), []byte("dev/console"))-110:]
	if maj, min := h[6+9*8:6+10*8], h[6+10*8:6+11*8]; maj != "00000005" || min != "00000001" {
		t.Errorf("console device %s:%s, want 00000005:00000001", maj, min)
	}
}

func TestWriterRejects(t *testing.T) {
	w := NewWriter(io.Discard)
	for _, name := range []string{"init", "/a/../b", "/", "/x/"} {
		if err := w.File(name, nil, 0o644); !errors.Is(err, ErrBadPath) {
			t.Errorf("File(%q): got %v, want ErrBadPath", name, err)
		}
	}
	w.File("/x", nil, 0o644)
	if err := w.File("/x", nil, 0o644); !errors.Is(err, ErrBadPath) {
		t.Errorf("duplicate: got %v, want ErrBadPath", err)
	}
	if err := NewWriter(failing{}).File("/x", []byte("y"), 0o644); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write error: got %v, want it passed through", err)
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, os.ErrClosed }
