package vmtests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The integration tests fetch the default guest kernels into the default
// cache (so a second run does no network work) and boot them in qemu.

var (
	fetchOnce sync.Once
	fetched   map[string]Kernel
	fetchErr  error

	initOnce sync.Map // arch → *initBuild
	initDir  string   // where the init binaries are built, removed at exit
)

func TestMain(m *testing.M) {
	var err error
	if initDir, err = os.MkdirTemp("", "tracebench-init-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(initDir)
	os.Exit(code)
}

type initBuild struct {
	once sync.Once
	path string
	err  error
}

func needIntegration(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fetches and boots kernels; skipped with -short")
	}
}

// defaultKernels fetches every Debian guest target of the default matrix
// once, in parallel, and returns them by target name. Kernel builds (the
// nobtf target) are left to the tests about them: building one takes
// longer than this package's fetch deadline.
func defaultKernels(t *testing.T) map[string]Kernel {
	t.Helper()
	needIntegration(t)
	fetchOnce.Do(func() {
		c, err := OpenCache("")
		if err != nil {
			fetchErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		fetched = map[string]Kernel{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		for _, tg := range DefaultMatrix().Targets {
			if _, ok := tg.Source.(DebianPackage); !ok {
				continue
			}
			wg.Go(func() {
				k, err := c.Fetch(ctx, tg)
				mu.Lock()
				defer mu.Unlock()
				if err != nil && fetchErr == nil {
					fetchErr = err
				}
				fetched[tg.Name] = k
			})
		}
		wg.Wait()
		t.Logf("fetched %d kernels in %s", len(fetched), time.Since(start).Round(time.Millisecond))
	})
	if fetchErr != nil {
		t.Fatal(fetchErr)
	}
	return fetched
}

// initBinary builds the tracebench command, static, for arch, once.
func initBinary(t *testing.T, arch string) string {
	t.Helper()
	v, _ := initOnce.LoadOrStore(arch, &initBuild{})
	b := v.(*initBuild)
	b.once.Do(func() {
		b.path = filepath.Join(initDir, "tracebench-"+arch)
		cmd := exec.Command("go", "build", "-o", b.path, "../cmd/tracebench")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("%w: %s", err, out)
		}
	})
	if b.err != nil {
		t.Fatalf("build tracebench for %s: %v", arch, b.err)
	}
	return b.path
}
