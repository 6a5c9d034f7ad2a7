package vmtests

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/tracebench/tracebench/vmtests/kmod"
	"github.com/tracebench/tracebench/vmtests/vmlinux"
)

// assemble completes k, whose Image is in dir: it checks the image fits
// k.Arch, extracts the ELF vmlinux on amd64, finds the release if k has none,
// and copies the guest modules (decompressed, in load order), and those
// that 9p shares need, from the module tree at modDir ("" for none) into
// dir/modules.
func assemble(k *Kernel, dir, modDir string) error {
	k.Layout = cacheLayout
	img, err := os.ReadFile(k.Image)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	if err := k.checkImage(img, dir); err != nil {
		return fmt.Errorf("%s: %w", k.Image, err)
	}
	if modDir == "" {
		return nil
	}
	tree, err := kmod.OpenTree(modDir)
	if err != nil {
		return err
	}
	paths, err := tree.Closure(guestModules...)
	if err != nil {
		return err
	}
	if k.Modules, err = copyModules(paths, dir, nil); err != nil {
		return err
	}
	// 9p is optional: a kernel without it boots, without shares.
	if share, err := tree.Closure(shareModules...); err == nil {
		if k.ShareModules, err = copyModules(share, dir, k.Modules); err != nil {
			return err
		}
	} else if !errors.Is(err, kmod.ErrMissing) {
		return err
	}
	return copyFile(filepath.Join(modDir, "modules.builtin"), filepath.Join(dir, "modules", "modules.builtin"))
}

// copyModules copies the module files paths, decompressed, into
// dir/modules and returns the copies, leaving out those in have.
func copyModules(paths []string, dir string, have []string) ([]string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "modules"), 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range paths {
		dst := filepath.Join(dir, "modules", kmod.Name(p)+".ko")
		if slices.Contains(have, dst) {
			continue
		}
		b, err := kmod.Read(p)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return nil, err
		}
		out = append(out, dst)
	}
	return out, nil
}

// checkImage recognises the image: on amd64 a bzImage (whose vmlinux it
// writes to dir) or an ELF vmlinux, on arm64 a raw Image ("ARM\x64" at 0x38,
// Documentation/arch/arm64/booting.rst) or an ELF vmlinux.
func (k *Kernel) checkImage(img []byte, dir string) error {
	isELF := func(machine elf.Machine) bool {
		f, err := elf.NewFile(bytes.NewReader(img))
		return err == nil && f.Machine == machine
	}
	switch {
	case k.Arch == "amd64" && vmlinux.IsBzImage(img):
		elfImg, err := vmlinux.FromBzImage(img)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadImage, err)
		}
		k.VMLinux = filepath.Join(dir, "vmlinux")
		if err := os.WriteFile(k.VMLinux, elfImg, 0o644); err != nil {
			return err
		}
		if k.Release == "" {
			k.Release, err = vmlinux.Release(img)
		}
		return err
	case k.Arch == "amd64" && isELF(elf.EM_X86_64):
		k.VMLinux = k.Image
	case k.Arch == "arm64" && len(img) > 0x40 && string(img[0x38:0x3c]) == "ARM\x64",
		k.Arch == "arm64" && isELF(elf.EM_AARCH64):
	default:
		return fmt.Errorf("%w: not an %s kernel (bzImage, ELF vmlinux or arm64 Image)", ErrBadImage, k.Arch)
	}
	if k.Release == "" {
		k.Release = bannerRelease(img)
	}
	if k.Release == "" {
		return fmt.Errorf("%w: no \"Linux version\" banner", ErrBadImage)
	}
	return nil
}

// bannerRelease finds the release in linux_banner ("Linux version 6.1.0 (…").
func bannerRelease(img []byte) string {
	const banner = "Linux version "
	i := bytes.Index(img, []byte(banner))
	if i < 0 {
		return ""
	}
	rest := img[i+len(banner):]
	if j := bytes.IndexAny(rest, " \x00"); j > 0 {
		return string(rest[:j])
	}
	return ""
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
