package tracefs

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// go test -run TestCaptureFixtures -capture testdata/<kernel> captures the
// decoder's fixtures from the running kernel: the layout files, formats,
// stats files, and raw pages of three workloads, each with the ground truth
// known from outside the decoder (what the workload produced, its pid, the
// kernel's counters) in capture.json.
var captureDir = flag.String("capture", "", "capture page fixtures from this kernel into `dir`")

// capture is the ground truth of a page capture.
type capture struct {
	Kernel   string `json:"kernel"`
	Workload string `json:"workload"`
	// Events are the enabled events, by id.
	Events map[uint16]string `json:"events"`
	PID    int               `json:"pid"`
	// PPID is the workload's parent, the capturing test.
	PPID int `json:"ppid"`
	// Produced is how many records the workload made.
	Produced uint64 `json:"produced"`
	// Stats are the kernel's counters per CPU before reading.
	Stats []CPUStats `json:"stats"`
	// Pages are the files of the pages read, in order, per CPU.
	Pages map[int][]string `json:"pages"`
	// Filename is the path the exec workload executes.
	Filename string `json:"filename,omitempty"`
}

func TestCaptureFixtures(t *testing.T) {
	if *captureDir == "" {
		t.Skip("no -capture dir")
	}
	fs := needFS(t)
	dir := *captureDir
	for _, sub := range []string{"formats", "stats", "pages"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	in := newInstance(t, fs)
	copyFile(t, in.path("events", "header_page"), filepath.Join(dir, "header_page"))
	copyFile(t, in.path("events", "header_event"), filepath.Join(dir, "header_event"))
	for _, ev := range []Event{getppidEvent, getppidExitEvent, execEvent, FunctionEvent} {
		p, _ := eventFile(fs.root, ev, "format")
		copyFile(t, p, filepath.Join(dir, "formats", ev.Group+"_"+ev.Name))
	}
	copyFile(t, in.path("per_cpu", "cpu0", "stats"), filepath.Join(dir, "stats", "empty-local"))

	captureRun(t, fs, dir, "getppid", "pause-getppid 300", 300, 0, getppidEvent)
	path := longExecPath(t)
	captureRun(t, fs, dir, "exec", "exec 5 "+path, 5, 0, execEvent)
	captureRun(t, fs, dir, "overrun", "getppid 20000", 20000, 1, getppidExitEvent)
	captureStats(t, fs, dir, "counter")
	captureStats(t, fs, dir, "local")
}

// captureRun runs a helper in a fresh instance, pinned to CPU 0, with evs
// enabled, then saves every page read and the ground truth.
func captureRun(t *testing.T, fs *FS, dir, name, mode string, produced, bufferKB uint64, evs ...Event) {
	in, err := fs.NewInstance("capture-" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := in.Remove(); err != nil {
			t.Error(err)
		}
	}()
	if bufferKB != 0 {
		if err := in.SetBufferSizeKB(bufferKB); err != nil {
			t.Fatal(err)
		}
	}
	work := startHelper(t, mode)
	var cpu0 unix.CPUSet
	cpu0.Set(0)
	if err := unix.SchedSetaffinity(work.pid(), &cpu0); err != nil {
		t.Fatal(err)
	}
	c := capture{Kernel: kernelRelease(t), Workload: mode, Events: map[uint16]string{}, PID: work.pid(), PPID: os.Getpid(), Produced: produced, Pages: map[int][]string{}}
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		c.Events[eventID(t, fs, ev)] = ev.String()
		if err := in.EnableEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	work.run()
	for _, ev := range evs {
		if err := in.DisableEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if c.Stats, err = in.CPUStats(); err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(mode); f[0] == "exec" {
		c.Filename = f[2]
	}
	pagesDir := filepath.Join(dir, "pages", name)
	if err := os.MkdirAll(pagesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := in.OpenReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, p := range r.pipes {
		for k := 0; ; k++ {
			n, err := unix.Read(p.fd, r.page)
			if errors.Is(err, unix.EAGAIN) || n == 0 {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			file := fmt.Sprintf("cpu%d-%d.bin", p.cpu, k)
			if err := os.WriteFile(filepath.Join(pagesDir, file), r.page[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			c.Pages[p.cpu] = append(c.Pages[p.cpu], file)
		}
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pagesDir, "capture.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// captureStats saves a stats file with events in it, under a trace clock.
func captureStats(t *testing.T, fs *FS, dir, clock string) {
	in, err := fs.NewInstance("capture-stats-" + clock)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := in.Remove(); err != nil {
			t.Error(err)
		}
	}()
	if err := in.SetClock(clock); err != nil {
		t.Fatal(err)
	}
	work := startHelper(t, "getppid 100")
	var cpu0 unix.CPUSet
	cpu0.Set(0)
	if err := unix.SchedSetaffinity(work.pid(), &cpu0); err != nil {
		t.Fatal(err)
	}
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.EnableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	work.run()
	if err := in.DisableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	copyFile(t, in.path("per_cpu", "cpu0", "stats"), filepath.Join(dir, "stats", "100-"+clock))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func kernelRelease(t *testing.T) string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	return unix.ByteSliceToString(u.Release[:])
}
