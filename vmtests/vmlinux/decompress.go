package vmlinux

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// UnsupportedCompressionError names a kernel compression (CONFIG_KERNEL_*)
// this package cannot undo.
type UnsupportedCompressionError struct{ Format string }

func (e *UnsupportedCompressionError) Error() string {
	return fmt.Sprintf("bzImage payload compressed with %s, only gzip, xz and zstd are supported", e.Format)
}

// decompress undoes the compressions the kernel build offers, found by their
// magic numbers. Debian uses xz up to 6.1 and zstd from 6.12 on.
func decompress(b []byte, sizeHint int) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gzip payload: %v: %w", err, ErrCorrupt)
		}
		r.Multistream(false)
		return readAll(r, sizeHint, "gzip")
	case bytes.HasPrefix(b, xzMagic):
		return unxz(b, sizeHint)
	case bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		// The kernel compresses with zstd -22 --ultra: windows up to 128 MiB.
		d, err := zstd.NewReader(nil, zstd.WithDecoderMaxWindow(1<<30), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer d.Close()
		out, err := d.DecodeAll(b, make([]byte, 0, sizeHint))
		if err != nil {
			return nil, fmt.Errorf("zstd payload: %v: %w", err, ErrCorrupt)
		}
		return out, nil
	case bytes.HasPrefix(b, []byte{0x5d, 0x00}):
		return nil, &UnsupportedCompressionError{"lzma"}
	case bytes.HasPrefix(b, []byte("BZh")):
		return nil, &UnsupportedCompressionError{"bzip2"}
	case bytes.HasPrefix(b, []byte{0x02, 0x21, 0x4c, 0x18}):
		return nil, &UnsupportedCompressionError{"lz4"}
	case bytes.HasPrefix(b, []byte{0x89, 0x4c, 0x5a, 0x4f}):
		return nil, &UnsupportedCompressionError{"lzo"}
	}
	return nil, fmt.Errorf("payload starts with % x, no known compression: %w", b[:min(len(b), 4)], ErrCorrupt)
}

func readAll(r io.Reader, sizeHint int, format string) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(sizeHint)
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, fmt.Errorf("%s payload: %v: %w", format, err, ErrCorrupt)
	}
	return buf.Bytes(), nil
}
