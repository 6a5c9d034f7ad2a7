package workloads

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"runtime"
)

// exitCode is, per architecture, machine code for exit(0): the whole body
// of the program the exec workload runs, so that an exec costs the
// kernel's exec path and not a language runtime starting.
var exitCode = map[string]struct {
	machine elf.Machine
	code    []byte
}{
	"amd64": {elf.EM_X86_64, []byte{
		0xb8, 0x3c, 0x00, 0x00, 0x00, // mov eax, 60 (exit)
		0x31, 0xff, // xor edi, edi
		0x0f, 0x05, // syscall
	}},
	"arm64": {elf.EM_AARCH64, []byte{
		0x00, 0x00, 0x80, 0xd2, // mov x0, #0
		0xa8, 0x0b, 0x80, 0xd2, // mov x8, #93 (exit)
		0x01, 0x00, 0x00, 0xd4, // svc #0
	}},
}

// loadAddr is where the program is mapped; 64 KiB aligned for every page size.
const loadAddr = 0x400000

// TrueELF returns a minimal static ELF executable for goarch that exits
// with status 0: one PT_LOAD segment holding the headers and the code.
func TrueELF(goarch string) ([]byte, error) {
	a, ok := exitCode[goarch]
	if !ok {
		return nil, fmt.Errorf("no exit(0) program for architecture %s", goarch)
	}
	const ehsize, phsize = 64, 56
	size := uint64(ehsize + phsize + len(a.code))
	var hdr elf.Header64
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	hdr.Type = uint16(elf.ET_EXEC)
	hdr.Machine = uint16(a.machine)
	hdr.Version = uint32(elf.EV_CURRENT)
	hdr.Entry = loadAddr + ehsize + phsize
	hdr.Phoff = ehsize
	hdr.Ehsize = ehsize
	hdr.Phentsize = phsize
	hdr.Phnum = 1
	prog := elf.Prog64{
		Type:   uint32(elf.PT_LOAD),
		Flags:  uint32(elf.PF_R | elf.PF_X),
		Vaddr:  loadAddr,
		Paddr:  loadAddr,
		Filesz: size,
		Memsz:  size,
		Align:  0x10000,
	}
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, hdr)
	binary.Write(&buf, binary.LittleEndian, prog)
	buf.Write(a.code)
	return buf.Bytes(), nil
}

// nativeTrueELF is TrueELF for the running architecture.
func nativeTrueELF() ([]byte, error) { return TrueELF(runtime.GOARCH) }
