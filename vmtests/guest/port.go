package guest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoPort is returned (wrapped) when the results port never appears.
var ErrNoPort = errors.New("virtio-serial results port not found")

// portWait bounds the wait for the port: the host announces port names
// after the device probed, which takes a moment under emulation.
const portWait = 30 * time.Second

// openPort finds the virtio-serial port called name (vport0p1 on x86,
// vport1p1 on arm64, depending on device order) and opens it for writing.
func openPort(name string) (*os.File, error) {
	deadline := time.Now().Add(portWait)
	for {
		dev, err := findPort(name)
		if err == nil {
			f, err := os.OpenFile(filepath.Join("/dev", dev), os.O_WRONLY, 0)
			if err == nil {
				return f, nil
			}
			if !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("open results port %s: %w", dev, err)
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: no %q under /sys/class/virtio-ports after %s", ErrNoPort, name, portWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func findPort(name string) (string, error) {
	files, _ := filepath.Glob("/sys/class/virtio-ports/*/name")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && strings.TrimSpace(string(b)) == name {
			return filepath.Base(filepath.Dir(f)), nil
		}
	}
	return "", ErrNoPort
}
