package vmlinux

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// testELF is an ELF file to wrap: the test binary itself.
func testELF(t *testing.T) []byte {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeBzImage lays out a bzImage the way arch/x86/boot/tools/build.c does:
// setup sectors with the header, then the payload with its size trailer.
func fakeBzImage(payload []byte, uncompressed int, release string) []byte {
	const setupSects = 3
	setup := make([]byte, (setupSects+1)*512)
	setup[offSetupSects] = setupSects
	copy(setup[offHeaderMagic:], "HdrS")
	binary.LittleEndian.PutUint16(setup[offVersion:], 0x020f)
	copy(setup[0x400:], release+" (test@example) #1 SMP\x00")
	binary.LittleEndian.PutUint16(setup[offKernelVersion:], 0x400-0x200)
	const payloadOffset = 0x100
	trailer := binary.LittleEndian.AppendUint32(nil, uint32(uncompressed))
	binary.LittleEndian.PutUint32(setup[offPayloadOffset:], payloadOffset)
	binary.LittleEndian.PutUint32(setup[offPayloadLength:], uint32(len(payload)+4))
	img := append(setup, make([]byte, payloadOffset)...)
	img = append(img, payload...)
	img = append(img, trailer...)
	return append(img, make([]byte, 512)...) // code after the payload
}

func compressWith(t *testing.T, format string, data []byte) []byte {
	var buf bytes.Buffer
	switch format {
	case "gzip":
		w := gzip.NewWriter(&buf)
		w.Write(data)
		w.Close()
	case "zstd":
		w, _ := zstd.NewWriter(&buf)
		w.Write(data)
		w.Close()
	case "xz":
		// The kernel's own options (scripts/xz_wrap.sh for x86).
		if _, err := exec.LookPath("xz"); err != nil {
			t.Skip("xz (xz-utils) not installed")
		}
		cmd := exec.Command("xz", "--format=xz", "--check=crc32", "--x86", "--lzma2=dict=1MiB")
		cmd.Stdin, cmd.Stdout = bytes.NewReader(data), &buf
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestFromBzImage(t *testing.T) {
	elf := testELF(t)
	for _, format := range []string{"gzip", "zstd", "xz"} {
		t.Run(format, func(t *testing.T) {
			bz := fakeBzImage(compressWith(t, format, elf), len(elf), "6.1.0-99-amd64")
			got, err := FromBzImage(bz)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, elf) {
				t.Fatalf("vmlinux differs from the original ELF (%d vs %d bytes)", len(got), len(elf))
			}
			if r, err := Release(bz); err != nil || r != "6.1.0-99-amd64" {
				t.Errorf("Release = %q, %v", r, err)
			}
			// Flip a byte in the middle of the compressed data.
			bad := bytes.Clone(bz)
			p, _ := Payload(bad)
			p[len(p)/2] ^= 0x55
			if _, err := FromBzImage(bad); !errors.Is(err, ErrCorrupt) {
				t.Errorf("corrupt payload: got %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestFromBzImageRejects(t *testing.T) {
	if _, err := FromBzImage(testELF(t)); !errors.Is(err, ErrNotBzImage) {
		t.Errorf("ELF input: got %v, want ErrNotBzImage", err)
	}
	var unsupported *UnsupportedCompressionError
	lz4 := fakeBzImage([]byte{0x02, 0x21, 0x4c, 0x18, 1, 2, 3}, 100, "x")
	if _, err := FromBzImage(lz4); !errors.As(err, &unsupported) || unsupported.Format != "lz4" {
		t.Errorf("lz4 payload: got %v, want UnsupportedCompressionError{lz4}", err)
	}
	notELF := fakeBzImage(compressWith(t, "gzip", []byte("hello")), 5, "x")
	if _, err := FromBzImage(notELF); !errors.Is(err, ErrCorrupt) {
		t.Errorf("non-ELF payload: got %v, want ErrCorrupt", err)
	}
	truncated := fakeBzImage(compressWith(t, "gzip", []byte("hello")), 5, "x")[:0x300]
	if _, err := FromBzImage(truncated); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated image: got %v, want ErrCorrupt", err)
	}
}

// TestBCJRoundTrip checks the BCJ decoder against xz's encoder on data dense
// with call and jump opcodes, where the mask logic matters.
func TestBCJRoundTrip(t *testing.T) {
	data := make([]byte, 1<<16)
	seed := uint32(1)
	for i := range data {
		seed = seed*1664525 + 1013904223
		switch seed >> 29 {
		case 0, 1:
			data[i] = 0xe8
		case 2:
			data[i] = 0xe9
		case 3:
			data[i] = 0xff
		case 4:
			data[i] = 0x00
		default:
			data[i] = byte(seed >> 8)
		}
	}
	got, err := decodeXZ(compressWith(t, "xz", data), len(data))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("BCJ round trip differs")
	}
}
