package vmtests

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// LocalImage is a kernel image on disk (bzImage, ELF vmlinux or arm64 Image)
// with an optional module tree (a lib/modules/RELEASE directory). Without
// modules, the kernel must have virtio-pci and virtio-console built in.
type LocalImage struct {
	Image   string
	Modules string
}

func (l LocalImage) String() string { return "local image " + l.Image }

// Fetch checks the image and prepares its boot files under the cache, keyed
// by the image's SHA-256 and the modules directory's path: it never
// downloads.
func (l LocalImage) Fetch(ctx context.Context, c *Cache, t Target) (Kernel, error) {
	sum, err := fileSHA256(l.Image)
	if err != nil {
		return Kernel{}, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	if l.Modules != "" {
		if _, err := os.Stat(filepath.Join(l.Modules, "modules.builtin")); err != nil {
			return Kernel{}, fmt.Errorf("modules %s: want a lib/modules/RELEASE directory: %w", l.Modules, err)
		}
	}
	key := sha256.Sum256([]byte(sum + "\x00" + l.Modules))
	dir := filepath.Join(c.kernelsDir(), fmt.Sprintf("local-%x-%s", key[:8], t.Arch))
	if k, err := loadKernel(dir); err == nil {
		k.Target = t.Name
		return k, nil
	}
	if err := os.MkdirAll(c.kernelsDir(), 0o755); err != nil {
		return Kernel{}, err
	}
	staging, err := os.MkdirTemp(c.kernelsDir(), ".staging-")
	if err != nil {
		return Kernel{}, err
	}
	defer os.RemoveAll(staging)
	k := Kernel{Target: t.Name, Arch: t.Arch, Image: filepath.Join(staging, "image")}
	if err := copyFile(l.Image, k.Image); err != nil {
		return Kernel{}, err
	}
	if err := assemble(&k, staging, l.Modules); err != nil {
		return Kernel{}, err
	}
	return install(k, staging, dir)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
