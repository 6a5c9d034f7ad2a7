package vmtests

import (
	"context"
	"errors"
)

// Source is where a guest kernel comes from: a Debian package, a local
// image, or (later) an OCI kernel image. Fetch makes the kernel available
// under the cache and says whether it downloaded anything.
type Source interface {
	Fetch(ctx context.Context, c *Cache, t Target) (Kernel, error)
	String() string
}

// ErrBadImage is returned (wrapped) for a kernel image that is missing, of
// the wrong kind for its architecture, or corrupt.
var ErrBadImage = errors.New("unusable kernel image")

// guestModules are the modules a guest needs when the kernel has them as
// modules: virtio_pci for the PCI transport and virtio_console for the
// virtio-serial results port; their dependencies (virtio, virtio_ring,
// virtio_pci_legacy_dev and virtio_pci_modern_dev since 5.16) follow from
// .modinfo. Debian builds them in from 6.12 on.
var guestModules = []string{"virtio_pci", "virtio_console"}

// shareModules are the modules a guest with host directories shared over
// 9p loads besides guestModules: the 9p file system and its virtio
// transport; their dependencies (9pnet, fscache, netfs from 5.17) follow.
var shareModules = []string{"9p", "9pnet_virtio"}
