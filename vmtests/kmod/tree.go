package kmod

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrMissing is returned (wrapped) for a module that is neither a module file
// in the tree nor built into the kernel.
var ErrMissing = errors.New("module neither in the module tree nor built in")

// Tree is one kernel release's module directory (lib/modules/RELEASE).
type Tree struct {
	Dir     string
	files   map[string]string // module name → path
	builtin map[string]bool   // from modules.builtin
}

// OpenTree indexes the modules under dir/kernel by name and reads
// dir/modules.builtin, which lists what the kernel has built in.
func OpenTree(dir string) (*Tree, error) {
	t := &Tree{Dir: dir, files: map[string]string{}, builtin: map[string]bool{}}
	err := filepath.WalkDir(filepath.Join(dir, "kernel"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".ko") || strings.HasSuffix(path, ".ko.xz")) {
			t.files[Name(path)] = path
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("module tree %s: %w", dir, err)
	}
	f, err := os.Open(filepath.Join(dir, "modules.builtin"))
	if err != nil {
		return nil, fmt.Errorf("module tree %s: %w", dir, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		t.builtin[Name(sc.Text())] = true
	}
	return t, sc.Err()
}

// Builtin reports whether the kernel has module name built in.
func (t *Tree) Builtin(name string) bool { return t.builtin[name] }

// Path returns the file of module name, or "" if the tree has none.
func (t *Tree) Path(name string) string { return t.files[name] }

// Closure returns the module files needed to load roots, dependencies before
// their users, each once. Roots that are built in are skipped; a root or
// dependency that is missing is an error naming it and who needs it.
func (t *Tree) Closure(roots ...string) ([]string, error) {
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name, neededBy string) error
	visit = func(name, neededBy string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("module %s: dependency cycle through %s", name, neededBy)
		case 2:
			return nil
		}
		path := t.files[name]
		if path == "" {
			if t.builtin[name] {
				state[name] = 2
				return nil
			}
			return fmt.Errorf("module %s (needed by %s) in %s: %w", name, neededBy, t.Dir, ErrMissing)
		}
		state[name] = 1
		b, err := Read(path)
		if err != nil {
			return err
		}
		info, err := ReadInfo(b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, dep := range info.Depends {
			if err := visit(dep, name); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, path)
		return nil
	}
	for _, r := range roots {
		if err := visit(r, "the guest"); err != nil {
			return nil, err
		}
	}
	return order, nil
}
