package vmlinux

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// The kernel's xz payload (scripts/xz_wrap.sh) chains the x86 BCJ filter
// before LZMA2; github.com/ulikunitz/xz reads only plain LZMA2 blocks, so this
// file walks the .xz container (tukaani.org/xz/xz-file-format.txt) itself,
// decodes each block's LZMA2 data with ulikunitz's raw LZMA2 reader, undoes
// BCJ and verifies the block's CRC32.

var xzMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}

// Filter IDs of the .xz format.
const (
	filterX86   = 0x04
	filterLZMA2 = 0x21
)

// Check types of the .xz stream flags.
const (
	checkNone  = 0x00
	checkCRC32 = 0x01
)

var checkSizes = map[byte]int{0x00: 0, 0x01: 4, 0x04: 8, 0x0a: 32}

func unxz(b []byte, sizeHint int) ([]byte, error) {
	out, err := decodeXZ(b, sizeHint)
	if err != nil {
		return nil, fmt.Errorf("xz payload: %v: %w", err, ErrCorrupt)
	}
	return out, nil
}

func decodeXZ(b []byte, sizeHint int) ([]byte, error) {
	if len(b) < 12 || crc32.ChecksumIEEE(b[6:8]) != binary.LittleEndian.Uint32(b[8:12]) {
		return nil, errors.New("bad stream header")
	}
	check := b[7] & 0x0f
	checkSize, ok := checkSizes[check]
	if !ok {
		return nil, fmt.Errorf("unknown check type %#x", check)
	}
	out := make([]byte, 0, sizeHint)
	pos := 12
	for pos < len(b) && b[pos] != 0 { // a zero byte starts the index
		block, next, err := decodeBlock(b, pos, checkSize)
		if err != nil {
			return nil, err
		}
		if check == checkCRC32 && crc32.ChecksumIEEE(block) != binary.LittleEndian.Uint32(b[next-4:next]) {
			return nil, fmt.Errorf("block at %d: CRC32 mismatch", pos)
		}
		out = append(out, block...)
		pos = next
	}
	return out, nil
}

// decodeBlock decodes the block starting at b[start] and returns its data and
// the offset just after its check field.
func decodeBlock(b []byte, start, checkSize int) ([]byte, int, error) {
	hdrSize := (int(b[start]) + 1) * 4
	if start+hdrSize > len(b) {
		return nil, 0, fmt.Errorf("block header at %d truncated", start)
	}
	hdr := b[start : start+hdrSize]
	if crc32.ChecksumIEEE(hdr[:hdrSize-4]) != binary.LittleEndian.Uint32(hdr[hdrSize-4:]) {
		return nil, 0, fmt.Errorf("block header at %d: CRC32 mismatch", start)
	}
	bcj, dictCap, err := blockFilters(bytes.NewReader(hdr[1 : hdrSize-4]))
	if err != nil {
		return nil, 0, fmt.Errorf("block header at %d: %w", start, err)
	}
	data := bytes.NewReader(b[start+hdrSize:])
	r, err := lzma.Reader2Config{DictCap: dictCap}.NewReader2(data)
	if err != nil {
		return nil, 0, err
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, fmt.Errorf("LZMA2 data of block at %d: %w", start, err)
	}
	if bcj {
		unBCJx86(out)
	}
	// The compressed data is padded to a multiple of four bytes, then the check.
	end := len(b) - data.Len()
	end += (4 - (end-start)%4) % 4
	end += checkSize
	if end > len(b) {
		return nil, 0, fmt.Errorf("block at %d truncated", start)
	}
	return out, end, nil
}

// blockFilters reads the block flags, optional sizes and filter flags, and
// accepts the two chains the kernel build produces: LZMA2 alone, or x86 BCJ
// (start offset 0) then LZMA2.
func blockFilters(r *bytes.Reader) (bcj bool, dictCap int, err error) {
	flags, err := r.ReadByte()
	if err != nil {
		return false, 0, err
	}
	for _, present := range []bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed, uncompressed size
		if present {
			if _, err := binary.ReadUvarint(r); err != nil {
				return false, 0, err
			}
		}
	}
	n := int(flags&0x03) + 1
	for i := 0; i < n; i++ {
		id, err := binary.ReadUvarint(r)
		if err != nil {
			return false, 0, err
		}
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return false, 0, err
		}
		props := make([]byte, size)
		if _, err := io.ReadFull(r, props); err != nil {
			return false, 0, err
		}
		last := i == n-1
		switch {
		case id == filterX86 && !last && (size == 0 || binary.LittleEndian.Uint32(props) == 0):
			bcj = true
		case id == filterLZMA2 && last && size == 1 && props[0] <= 40:
			dictCap = lzma2DictCap(props[0])
		default:
			return false, 0, fmt.Errorf("unsupported filter %#x (%d property bytes) at position %d of %d", id, size, i+1, n)
		}
	}
	return bcj, dictCap, nil
}

// lzma2DictCap decodes the LZMA2 dictionary size property (0–40).
func lzma2DictCap(p byte) int {
	if p == 40 {
		return 1<<32 - 1
	}
	return (2 | int(p&1)) << (p/2 + 11)
}
