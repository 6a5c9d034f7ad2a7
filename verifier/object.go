package verifier

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cilium/ebpf"
)

// Classes of unusable object files (ObjectError.Kind).
var (
	// ErrNotBPF: not an ELF file, or an ELF file for a CPU, not for eBPF.
	ErrNotBPF = errors.New("not an eBPF object")
	// ErrTruncated: the ELF headers point past the end of the file.
	ErrTruncated = errors.New("truncated object file")
	// ErrWrongArch: an eBPF object the target cannot load, of the other
	// byte order (bpfeb on a little-endian kernel), or built for another
	// architecture (bpf2go's _arm64_/_x86_ file names).
	ErrWrongArch = errors.New("object for another architecture")
	// ErrNoPrograms: an eBPF object without a single program.
	ErrNoPrograms = errors.New("no eBPF programs in object")
)

// ObjectError is an object file that cannot be verified.
type ObjectError struct {
	Path   string
	Kind   error // ErrNotBPF, ErrTruncated, ErrWrongArch, ErrNoPrograms, or a parse error
	Detail string
}

func (e *ObjectError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%s: %v", e.Path, e.Kind)
	}
	return fmt.Sprintf("%s: %v: %s", e.Path, e.Kind, e.Detail)
}

func (e *ObjectError) Unwrap() error { return e.Kind }

// Open reads an eBPF object file for a kernel of byte order bo and returns
// its collection spec, or an *ObjectError that says what is wrong with it.
func Open(path string, bo binary.ByteOrder) (*ebpf.CollectionSpec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b, bo)
}

// Parse is Open for an object already in memory; name is its file name.
func Parse(name string, b []byte, bo binary.ByteOrder) (*ebpf.CollectionSpec, error) {
	if err := checkELF(b, bo); err != nil {
		err.Path = name
		return nil, err
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, &ObjectError{Path: name, Kind: err}
	}
	if len(spec.Programs) == 0 {
		return nil, &ObjectError{Path: name, Kind: ErrNoPrograms}
	}
	return spec, nil
}

// checkELF catches what would otherwise come out of the ELF reader as an
// obscure error: a file that is no ELF, an ELF for a CPU (compiled without
// -target bpf), an object of the other byte order, and a file cut short.
func checkELF(b []byte, bo binary.ByteOrder) *ObjectError {
	if len(b) < 4 || string(b[:4]) != elf.ELFMAG {
		return &ObjectError{Kind: ErrNotBPF, Detail: "not an ELF file"}
	}
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || len(b) < 64 {
			return &ObjectError{Kind: ErrTruncated, Detail: fmt.Sprintf("%d bytes: %v", len(b), err)}
		}
		return &ObjectError{Kind: ErrNotBPF, Detail: err.Error()}
	}
	if f.Machine != elf.EM_BPF {
		return &ObjectError{Kind: ErrNotBPF, Detail: fmt.Sprintf("ELF for %s (compile with clang -target bpf)", strings.TrimPrefix(f.Machine.String(), "EM_"))}
	}
	if f.ByteOrder != bo {
		return &ObjectError{Kind: ErrWrongArch, Detail: fmt.Sprintf("%s object, the kernel is %s", order(f.ByteOrder), order(bo))}
	}
	size := uint64(len(b))
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS && s.Offset+s.FileSize > size {
			return &ObjectError{Kind: ErrTruncated, Detail: fmt.Sprintf("section %s ends at byte %d, the file has %d", s.Name, s.Offset+s.FileSize, size)}
		}
	}
	return nil
}

func order(bo binary.ByteOrder) string {
	if bo == binary.BigEndian {
		return "big-endian"
	}
	return "little-endian"
}

// NameArch is the architecture a bpf2go object's file name says it was
// built for ("foo_x86_bpfel.o" → amd64), or "" when the name says none.
func NameArch(path string) string {
	base := path[strings.LastIndexByte(path, '/')+1:]
	for suffix, arch := range map[string]string{"_x86_bpfel.o": "amd64", "_arm64_bpfel.o": "arm64"} {
		if strings.HasSuffix(base, suffix) {
			return arch
		}
	}
	return ""
}
