package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/backends/builtin"
	"github.com/tracebench/tracebench/backends/plugin"
)

// launch starts the plugin serving backend name: an external plugin from
// cfg.PluginsDir if one there describes itself with that name, else the
// built-in backend served by the tracebench binary.
func (h *harness) launch(ctx context.Context, name string) (*plugin.Process, error) {
	if path, err := h.externalPlugin(ctx, name); err != nil {
		return nil, err
	} else if path != "" {
		return plugin.Start(h.pluginCommand(path), h.cfg.Log)
	}
	if h.cfg.PluginsUnavailable != "" && !builtin.Has(name) {
		return nil, backends.Unsupportedf(backends.MissingTool, "%s is not built in, and %s", name, h.cfg.PluginsUnavailable)
	}
	args := append(slices.Clone(h.cfg.ServeArgs), name)
	return plugin.Start(exec.Command(h.cfg.Exe, args...), h.cfg.Log)
}

// externalPlugin finds the executable in the plugins directory whose
// backend is called name. Plugins are asked their name (Describe) rather
// than trusted by file name.
func (h *harness) externalPlugin(ctx context.Context, name string) (string, error) {
	if h.cfg.PluginsDir == "" {
		return "", nil
	}
	paths, err := PluginExecutables(filepath.Join(h.cfg.PluginsRoot, h.cfg.PluginsDir))
	if err != nil {
		return "", err
	}
	for _, p := range paths {
		if h.cfg.PluginsRoot != "" {
			rel, err := filepath.Rel(h.cfg.PluginsRoot, p)
			if err != nil {
				return "", err
			}
			p = "/" + rel
		}
		n, err := pluginName(h.pluginCommand(p), h.cfg.CallTimeout)
		if err != nil {
			fmt.Fprintf(h.cfg.Log, "plugin %s: %v\n", p, err)
			continue
		}
		if n == name {
			return p, nil
		}
	}
	return "", nil
}

// KernelHeadersEnv names, in an external plugin's environment, a directory
// holding the running kernel's headers as a kernel source tree, when the
// harness has them from elsewhere than where the system keeps them (a
// guest's, see vmtests.Cache.Headers).
const KernelHeadersEnv = "TRACEBENCH_KERNEL_HEADERS"

// pluginCommand is the command running the external plugin at path, a
// path under cfg.PluginsRoot when there is one: the plugin then runs
// chrooted into it (a guest runs the host's plugins in the host's root
// file system, see GuestRequest.HostRoot).
func (h *harness) pluginCommand(path string) *exec.Cmd {
	cmd := exec.Command(path)
	if h.cfg.KernelHeaders != "" {
		cmd.Env = append(os.Environ(), KernelHeadersEnv+"="+h.cfg.KernelHeaders)
	}
	if h.cfg.PluginsRoot != "" {
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: h.cfg.PluginsRoot}
		cmd.Dir = "/"
	}
	return cmd
}

// PluginName starts the plugin executable at path and asks its name.
func PluginName(path string) (string, error) {
	return pluginName(exec.Command(path), 30*time.Second)
}

// pluginName starts the plugin cmd and asks its name within timeout.
func pluginName(cmd *exec.Cmd, timeout time.Duration) (string, error) {
	proc, err := plugin.Start(cmd, nil)
	if err != nil {
		return "", err
	}
	defer proc.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	d, err := proc.Describe(ctx)
	if err != nil {
		return "", err
	}
	return d.Name, nil
}

// PluginExecutables lists the plugin executables of dir. It refuses a
// plugin that users other than root or its owner could have replaced
// (group- or world-writable file or directory): the harness runs plugins
// as root.
func PluginExecutables(dir string) ([]string, error) {
	if err := checkNotWritableByOthers(dir); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("plugins directory: %w", err)
	}
	var out []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			continue
		}
		if err := checkNotWritableByOthers(p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func checkNotWritableByOthers(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("plugins: %w", err)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("plugins: refusing %s: writable by group or others (mode %v); tracebench runs plugins as root", p, st.Mode().Perm())
	}
	return nil
}
