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
func (h *harness) launch(name string) (*plugin.Process, error) {
	if ext, err := h.externalPlugin(name); err != nil {
		return nil, err
	} else if ext != nil {
		return plugin.Start(h.pluginCommand(ext.path), h.cfg.Log)
	}
	if h.cfg.PluginsUnavailable != "" && !builtin.Has(name) {
		return nil, backends.Unsupportedf(backends.MissingTool, "%s is not built in, and %s", name, h.cfg.PluginsUnavailable)
	}
	args := append(slices.Clone(h.cfg.ServeArgs), name)
	return plugin.Start(exec.Command(h.cfg.Exe, args...), h.cfg.Log)
}

// traits returns what backend name declares of itself, known before it
// runs: an external plugin's from its description, a built-in backend's
// from the binary's own.
func (h *harness) traits(name string) backends.Traits {
	if ext, err := h.externalPlugin(name); err == nil && ext != nil {
		return ext.desc.Traits
	}
	return builtin.TraitsOf(name)
}

// external is an executable of the plugins directory and its description.
type external struct {
	path string
	desc backends.Description
}

// externalPlugin finds the executable in the plugins directory whose
// backend is called name, or nil.
func (h *harness) externalPlugin(name string) (*external, error) {
	h.externalsOnce.Do(func() { h.externals, h.externalsErr = h.describePlugins() })
	if h.externalsErr != nil {
		return nil, h.externalsErr
	}
	for i := range h.externals {
		if h.externals[i].desc.Name == name {
			return &h.externals[i], nil
		}
	}
	return nil, nil
}

// describePlugins asks every plugin of the plugins directory, once per
// run, to describe itself: plugins are known by the name they give
// (Describe), not by their file name. One that cannot answer is logged
// and left out.
func (h *harness) describePlugins() ([]external, error) {
	if h.cfg.PluginsDir == "" {
		return nil, nil
	}
	paths, err := PluginExecutables(filepath.Join(h.cfg.PluginsRoot, h.cfg.PluginsDir))
	if err != nil {
		return nil, err
	}
	var out []external
	for _, p := range paths {
		if h.cfg.PluginsRoot != "" {
			rel, err := filepath.Rel(h.cfg.PluginsRoot, p)
			if err != nil {
				return nil, err
			}
			p = "/" + rel
		}
		d, err := describePlugin(h.pluginCommand(p), h.cfg.CallTimeout)
		if err != nil {
			fmt.Fprintf(h.cfg.Log, "plugin %s: %v\n", p, err)
			continue
		}
		out = append(out, external{path: p, desc: d})
	}
	return out, nil
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
	d, err := describePlugin(exec.Command(path), 30*time.Second)
	return d.Name, err
}

// describePlugin starts the plugin cmd and asks its description within
// timeout.
func describePlugin(cmd *exec.Cmd, timeout time.Duration) (backends.Description, error) {
	proc, err := plugin.Start(cmd, nil)
	if err != nil {
		return backends.Description{}, err
	}
	defer proc.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return proc.Describe(ctx)
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
