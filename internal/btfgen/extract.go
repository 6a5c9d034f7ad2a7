package btfgen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"

	"github.com/cilium/ebpf/btf"
)

// btfMagic opens a little-endian BTF header: magic 0xeb9f, version 1,
// flags 0, header length 24 (include/uapi/linux/btf.h).
var btfMagic = []byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0}

// Extract returns the BTF a kernel built with CONFIG_DEBUG_INFO_BTF
// carries in its image: the blob /sys/kernel/btf/vmlinux shows when it
// runs. It reads an ELF vmlinux (the .BTF section is allocated, so it
// survives in the vmlinux inside a bzImage) or an arm64 Image, where the
// blob sits verbatim: it finds each BTF header, sizes the blob from it
// (24 + the end of its type or string section, whichever is later) and
// keeps the largest that parses. A compressed image (bzImage, vmlinuz)
// must be decompressed first.
func Extract(image string) ([]byte, error) {
	img, err := os.ReadFile(image)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	var best []byte
	bestTypes := 0
	for off := 0; ; off++ {
		i := bytes.Index(img[off:], btfMagic)
		if i < 0 {
			break
		}
		off += i
		if off+24 > len(img) {
			break
		}
		h := img[off+8 : off+24]
		typeOff, typeLen := binary.LittleEndian.Uint32(h[0:]), binary.LittleEndian.Uint32(h[4:])
		strOff, strLen := binary.LittleEndian.Uint32(h[8:]), binary.LittleEndian.Uint32(h[12:])
		end := 24 + max(uint64(typeOff)+uint64(typeLen), uint64(strOff)+uint64(strLen))
		if uint64(off)+end > uint64(len(img)) {
			continue
		}
		blob := img[off : uint64(off)+end]
		spec, err := btf.LoadSpecFromReader(bytes.NewReader(blob))
		if err != nil {
			continue
		}
		n := 0
		for range spec.All() {
			n++
		}
		if n > bestTypes {
			best, bestTypes = blob, n
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: %s carries no BTF (a kernel without CONFIG_DEBUG_INFO_BTF, or a compressed image: give the vmlinux or the arm64 Image)", ErrBadInput, image)
	}
	return best, nil
}
