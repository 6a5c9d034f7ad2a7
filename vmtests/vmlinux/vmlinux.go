// Package vmlinux recovers the ELF vmlinux inside an x86 bzImage, so qemu can
// boot it through PVH (-kernel vmlinux), which skips the real-mode setup and
// the in-guest decompression and roughly halves boot time under emulation.
//
// A bzImage (Documentation/arch/x86/boot.rst) is a real-mode setup of
// setup_sects+1 sectors followed by the protected-mode part, which holds the
// compressed vmlinux at payload_offset (boot protocol 2.08, kernel 2.6.26) for
// payload_length bytes; the build appends the uncompressed size as a 32-bit
// little-endian number (scripts/Makefile.lib size_append), which is checked.
package vmlinux

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrNotBzImage is returned (wrapped) for data that is not an x86 bzImage
// with boot protocol 2.08 or newer.
var ErrNotBzImage = errors.New("not an x86 bzImage (boot protocol 2.08+)")

// ErrCorrupt is returned (wrapped) when the payload does not decompress to
// the announced size or to an ELF file.
var ErrCorrupt = errors.New("corrupt kernel image")

// Offsets in the setup header (boot.rst).
const (
	offSetupSects    = 0x1f1
	offHeaderMagic   = 0x202
	offVersion       = 0x206
	offKernelVersion = 0x20e
	offPayloadOffset = 0x248
	offPayloadLength = 0x24c
	minProtocol      = 0x0208
)

// IsBzImage reports whether b starts with a bzImage setup header.
func IsBzImage(b []byte) bool {
	return len(b) > offPayloadLength+4 && string(b[offHeaderMagic:offHeaderMagic+4]) == "HdrS"
}

// FromBzImage returns the ELF vmlinux compressed inside bz.
func FromBzImage(bz []byte) ([]byte, error) {
	payload, err := Payload(bz)
	if err != nil {
		return nil, err
	}
	if len(payload) < 4 {
		return nil, fmt.Errorf("payload of %d bytes: %w", len(payload), ErrCorrupt)
	}
	size := binary.LittleEndian.Uint32(payload[len(payload)-4:])
	out, err := decompress(payload[:len(payload)-4], int(size))
	if err != nil {
		return nil, err
	}
	if len(out) != int(size) {
		return nil, fmt.Errorf("payload decompressed to %d bytes, the image announces %d: %w", len(out), size, ErrCorrupt)
	}
	if _, err := elf.NewFile(bytes.NewReader(out)); err != nil {
		return nil, fmt.Errorf("decompressed payload: %v: %w", err, ErrCorrupt)
	}
	return out, nil
}

// Payload returns the compressed vmlinux of bz, size trailer included.
func Payload(bz []byte) ([]byte, error) {
	if !IsBzImage(bz) {
		return nil, ErrNotBzImage
	}
	if v := binary.LittleEndian.Uint16(bz[offVersion:]); v < minProtocol {
		return nil, fmt.Errorf("boot protocol %#x: %w", v, ErrNotBzImage)
	}
	setup := (int(bz[offSetupSects]) + 1) * 512
	off := setup + int(binary.LittleEndian.Uint32(bz[offPayloadOffset:]))
	n := int(binary.LittleEndian.Uint32(bz[offPayloadLength:]))
	if off+n > len(bz) || n == 0 {
		return nil, fmt.Errorf("payload [%d, %d) outside the %d-byte image: %w", off, off+n, len(bz), ErrCorrupt)
	}
	return bz[off : off+n], nil
}

// Release returns the kernel release (uname -r) recorded in the bzImage's
// setup header (kernel_version, protocol 2.00+), e.g. "6.1.0-56-amd64".
func Release(bz []byte) (string, error) {
	if !IsBzImage(bz) {
		return "", ErrNotBzImage
	}
	off := 0x200 + int(binary.LittleEndian.Uint16(bz[offKernelVersion:]))
	if off >= len(bz) {
		return "", fmt.Errorf("kernel_version offset %d outside the image: %w", off, ErrCorrupt)
	}
	s := bz[off:]
	if i := bytes.IndexAny(s, " \x00"); i > 0 {
		return string(s[:i]), nil
	}
	return "", fmt.Errorf("no kernel version string: %w", ErrCorrupt)
}
