// Package initramfs writes the "newc" cpio archives the kernel unpacks into
// its root file system at boot (Documentation/driver-api/early-userspace/
// buffer-format.rst). Archives are left uncompressed: under emulation the
// guest decompresses far slower than the host copies.
package initramfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"
)

// ErrBadPath is returned (wrapped) for a path that is not absolute and clean,
// or that was already written.
var ErrBadPath = errors.New("bad initramfs path")

// Writer writes a newc archive. Parent directories of files are created
// implicitly (mode 0755), once each.
type Writer struct {
	w       io.Writer
	ino     uint32
	written map[string]bool
	err     error
}

// NewWriter starts an archive on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, ino: 300000, written: map[string]bool{"/": true}}
}

// Dir adds a directory.
func (w *Writer) Dir(name string, perm fs.FileMode) error {
	return w.add(name, syscall.S_IFDIR|uint32(perm.Perm()), nil, 0, 0)
}

// File adds a regular file with the given contents.
func (w *Writer) File(name string, data []byte, perm fs.FileMode) error {
	return w.add(name, syscall.S_IFREG|uint32(perm.Perm()), data, 0, 0)
}

// CharDev adds a character device node, e.g. /dev/console (5, 1), which the
// kernel opens as init's stdin, stdout and stderr before devtmpfs exists.
func (w *Writer) CharDev(name string, perm fs.FileMode, major, minor uint32) error {
	return w.add(name, syscall.S_IFCHR|uint32(perm.Perm()), nil, major, minor)
}

// Close writes the trailer; it does not close the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	w.header("TRAILER!!!", 0, 0, 0, 0, 0)
	return w.err
}

func (w *Writer) add(name string, mode uint32, data []byte, major, minor uint32) error {
	if w.err != nil {
		return w.err
	}
	if !path.IsAbs(name) || path.Clean(name) != name || name == "/" {
		return fmt.Errorf("%w: %q is not an absolute clean path", ErrBadPath, name)
	}
	if w.written[name] {
		return fmt.Errorf("%w: %q written twice", ErrBadPath, name)
	}
	if err := w.parents(path.Dir(name)); err != nil {
		return err
	}
	w.written[name] = true
	w.header(name, mode, uint32(len(data)), 1+boolToUint(mode&syscall.S_IFMT == syscall.S_IFDIR), major, minor)
	w.write(data)
	w.pad(len(data))
	return w.err
}

func (w *Writer) parents(dir string) error {
	if w.written[dir] {
		return nil
	}
	return w.Dir(dir, 0o755)
}

func boolToUint(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// header writes a newc header and the name; names are stored without the
// leading slash, as the kernel's own gen_init_cpio does.
func (w *Writer) header(name string, mode, size, nlink, rmajor, rminor uint32) {
	name = strings.TrimPrefix(name, "/")
	w.ino++
	fields := []uint32{w.ino, mode, 0, 0, nlink, 0, size, 0, 0, rmajor, rminor, uint32(len(name) + 1), 0}
	h := "070701"
	for _, f := range fields {
		h += fmt.Sprintf("%08x", f)
	}
	w.write([]byte(h + name + "\x00"))
	w.pad(len(h) + len(name) + 1)
}

func (w *Writer) pad(n int) {
	if r := n % 4; r != 0 {
		w.write(make([]byte, 4-r))
	}
}

func (w *Writer) write(b []byte) {
	if w.err == nil && len(b) > 0 {
		_, w.err = w.w.Write(b)
	}
}
