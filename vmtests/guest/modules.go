package guest

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// loadModules loads the modules listed in ModulesFile, in order, with
// finit_module(2) (3.8+). A module already loaded (EEXIST) is fine.
func loadModules() ([]string, error) {
	b, err := os.ReadFile(ModulesFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("module list: %w", err)
	}
	var loaded []string
	for _, path := range strings.Fields(string(b)) {
		if err := loadModule(path); err != nil {
			return loaded, err
		}
		loaded = append(loaded, path)
	}
	return loaded, nil
}

func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load module: %w", err)
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), "", 0); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("load module %s: finit_module: %w", path, err)
	}
	return nil
}
