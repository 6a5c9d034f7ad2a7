package tracefs

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The kernel-facing tests need root and talk to the real tracefs. TestMain
// opens (mounting if needed) tracefs once, and unmounts it at the end if it
// mounted it; every test checks on cleanup that it left nothing behind.

var (
	testFS *FS
	// globalEvents are the events enabled in the global buffer before the
	// tests ran: the tests must not add any of theirs.
	globalEvents []string
	// announced records the changes Open and the tests announced.
	announced []Change
	// testTag starts the names of the instances and probes this test
	// process makes, so that checks ignore those of other tracebench
	// processes running at the same time.
	testTag = fmt.Sprintf("t%d", os.Getpid())
)

func init() {
	if os.Getenv(helperEnv) != "" {
		// The helper's work runs on the main thread, whose tid is the
		// process's pid: the pid that set_event_pid names.
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if h := os.Getenv(helperEnv); h != "" {
		os.Exit(runHelper(h))
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Geteuid() != 0 {
		return m.Run() // kernel tests skip
	}
	fs, err := Open(func(c Change) error { announced = append(announced, c); return nil })
	if err != nil {
		fmt.Fprintln(os.Stderr, "open tracefs:", err)
		return 1
	}
	testFS = fs
	globalEvents = enabledGlobalEvents(fs)
	code := m.Run()
	if fs.Mounted() {
		if err := fs.Unmount(); err != nil {
			fmt.Fprintln(os.Stderr, "unmount tracefs:", err)
			return 1
		}
		if _, err := findMount("/proc/self/mountinfo"); err == nil {
			fmt.Fprintln(os.Stderr, "tracefs still mounted after Unmount")
			return 1
		}
	}
	return code
}

// needFS returns the test tracefs, skipping without root, and checks on
// cleanup that the test left no tracing state behind.
func needFS(t *testing.T) *FS {
	t.Helper()
	if testFS == nil {
		t.Skip("needs root: talks to the kernel's tracefs")
	}
	t.Cleanup(func() { checkClean(t, testFS) })
	return testFS
}

// checkClean fails the test if an instance or probe of this process is
// left in the kernel, or an event the tests use got enabled in the global
// buffer.
func checkClean(t *testing.T, fs *FS) {
	t.Helper()
	left, err := fs.Leftovers()
	if err != nil {
		t.Errorf("leftovers: %v", err)
	}
	for _, l := range left {
		if l.Ours && strings.Contains(l.Name, testTag) {
			t.Errorf("left behind: %s %s (%s)", l.Kind, l.Name, l.Path)
		}
	}
	for _, ev := range enabledGlobalEvents(fs) {
		used := strings.Contains(ev, testTag) || slices.Contains([]Event{getppidEvent, getppidExitEvent, execEvent}, must(ParseEvent(ev)))
		if used && !slices.Contains(globalEvents, ev) {
			t.Errorf("enabled in the global buffer: %s", ev)
		}
	}
}

func must[T any](v T, _ error) T { return v }

func enabledGlobalEvents(fs *FS) []string {
	b, err := os.ReadFile(fs.path("set_event"))
	if err != nil {
		panic(err)
	}
	return strings.Fields(string(b))
}

// newInstance creates an instance named for the test, removed on cleanup.
func newInstance(t *testing.T, fs *FS) *Instance {
	t.Helper()
	in, err := fs.NewInstance(tagged(strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := in.Remove(); err != nil {
			t.Error(err)
		}
	})
	return in
}

// tagged prefixes a name with testTag.
func tagged(name string) string { return testTag + "_" + name }
