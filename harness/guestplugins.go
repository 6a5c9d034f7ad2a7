package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/vmtests"
	"github.com/tracebench/tracebench/vmtests/guest"
)

// Where a guest mounts what the host shares with it for external plugins.
const (
	// guestHostRoot is the host's root file system, read-only.
	guestHostRoot = "/host"
	// guestPlugins is the plugins directory, shared on its own and bound
	// at its host path in the chroot: that path may be under one of the
	// directories the guest binds over the host's (a test's under /tmp).
	guestPlugins = "/run/tracebench-plugins"
	// guestHeaders is the guest kernel's headers (a source tree's, see
	// vmtests.Cache.Headers), under /run so that plugins see them at the
	// same path in their chroot.
	guestHeaders = "/run/kernel-headers"
)

// pluginShares prepares a guest of the host's architecture to run the
// run's external plugins: they are programs of this machine (a Python
// plugin needs its interpreter, its libraries and BCC's LLVM), so the
// guest gets the host's root file system read-only and runs them chrooted
// into it, with the guest kernel's headers when it has a Debian kernel
// (BCC compiles against them), named to them in KernelHeadersEnv. It
// fills req's plugin fields and returns the shares; none for guests of
// another architecture, whose external plugin cells are then missing-tool.
func (h *harness) pluginShares(ctx context.Context, t vmtests.Target, k vmtests.Kernel, req *GuestRequest) []vmtests.Share {
	if h.cfg.PluginsDir == "" {
		return nil
	}
	if t.Arch != runtime.GOARCH {
		req.PluginsUnavailable = fmt.Sprintf("external plugins run only in %s guests (programs of the machine running qemu, shared with guests of its architecture)", runtime.GOARCH)
		return nil
	}
	if !k.CanShare() {
		req.PluginsUnavailable = fmt.Sprintf("external plugins run from the host's files, which Linux %s cannot mount (no 9p over virtio: CONFIG_9P_FS, CONFIG_NET_9P_VIRTIO)", k.Release)
		return nil
	}
	// Without links: the guest binds it at this path inside the chroot.
	dir, err := filepath.Abs(h.cfg.PluginsDir)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		req.PluginsUnavailable = "plugins directory: " + err.Error()
		return nil
	}
	req.PluginsDir, req.HostRoot, req.PluginsShare = dir, guestHostRoot, guestPlugins
	shares := []vmtests.Share{{Tag: "hostroot", Path: "/", Mount: guestHostRoot}, {Tag: "plugins", Path: dir, Mount: guestPlugins}}
	headers, err := h.cfg.Cache.Headers(ctx, k)
	if err != nil {
		fmt.Fprintf(h.cfg.Log, "%s: external plugins get no kernel headers: %v\n", t.Name, err)
		return shares
	}
	req.KernelHeaders = guestHeaders
	return append(shares, vmtests.Share{Tag: "headers", Path: headers, Mount: guestHeaders})
}

// PrepareHostRoot makes the host's root file system shared with this
// guest a chroot for the request's external plugins (see pluginShares):
// the guest's kernel interfaces, devices and scratch directories (the
// kernel headers are under /run) bound in, then the plugins directory at
// its host path. Call it in the guest before the run; a request without a
// host root needs nothing.
func (req GuestRequest) PrepareHostRoot() error {
	if req.HostRoot == "" {
		return nil
	}
	if err := guest.PrepareChroot(req.HostRoot); err != nil {
		return err
	}
	target := filepath.Join(req.HostRoot, req.PluginsDir)
	// A directory the host has is there already (read-only); one under a
	// directory bound from the guest is made in the guest's tmpfs.
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("plugins directory %s in the chroot: %w", req.PluginsDir, err)
	}
	if err := unix.Mount(req.PluginsShare, target, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind the plugins directory on %s: %w", target, err)
	}
	return nil
}
