// Package kmod reads kernel module files as a distribution ships them and
// orders the ones a guest needs so that dependencies load first.
//
// Debian's kernel packages ship no modules.dep (depmod runs at install time),
// so dependencies come from each module's own .modinfo section, whose
// "depends=" entry modpost writes (comma-separated module names). Module
// names use '_' where file names may use '-' (virtio-rng.ko is virtio_rng).
// From Debian's 6.12 packages on, modules are xz-compressed (.ko.xz,
// CONFIG_MODULE_COMPRESS_XZ) and live under /usr/lib/modules.
package kmod

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ulikunitz/xz"
)

// ErrNotModule is returned (wrapped) for a file that is not a kernel module.
var ErrNotModule = errors.New("not a kernel module")

// Info is what a module's .modinfo says about it.
type Info struct {
	Name    string
	Depends []string
}

// Name returns the module name a file name stands for.
func Name(file string) string {
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		file = file[i+1:]
	}
	file = strings.TrimSuffix(file, ".xz")
	file = strings.TrimSuffix(file, ".ko")
	return strings.ReplaceAll(file, "-", "_")
}

// Read returns the module at path, decompressed if it ends in .xz.
func Read(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasSuffix(path, ".xz") {
		return b, err
	}
	r, err := xz.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decompress %s: %w", path, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decompress %s: %w", path, err)
	}
	return out, nil
}

// ReadInfo parses the .modinfo section of a decompressed module.
func ReadInfo(module []byte) (Info, error) {
	f, err := elf.NewFile(bytes.NewReader(module))
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrNotModule, err)
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return Info{}, fmt.Errorf("%w: no .modinfo section", ErrNotModule)
	}
	data, err := sec.Data()
	if err != nil {
		return Info{}, fmt.Errorf("%w: .modinfo: %v", ErrNotModule, err)
	}
	var info Info
	for _, field := range bytes.Split(data, []byte{0}) {
		key, value, ok := strings.Cut(string(field), "=")
		switch {
		case !ok:
		case key == "name":
			info.Name = value
		case key == "depends" && value != "":
			info.Depends = strings.Split(value, ",")
		}
	}
	return info, nil
}
