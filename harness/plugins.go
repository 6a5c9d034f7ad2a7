package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/tracebench/tracebench/backends/plugin"
)

// launch starts the plugin serving backend name: an external plugin from
// cfg.PluginsDir if one there describes itself with that name, else the
// built-in backend served by the tracebench binary.
func (h *harness) launch(ctx context.Context, name string) (*plugin.Process, error) {
	if path, err := h.externalPlugin(ctx, name); err != nil {
		return nil, err
	} else if path != "" {
		return plugin.Start(exec.Command(path), h.cfg.Log)
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
	paths, err := PluginExecutables(h.cfg.PluginsDir)
	if err != nil {
		return "", err
	}
	for _, p := range paths {
		n, err := PluginName(p)
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

// PluginName starts the plugin executable at path and asks its name.
func PluginName(path string) (string, error) {
	proc, err := plugin.Start(exec.Command(path), nil)
	if err != nil {
		return "", err
	}
	defer proc.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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
