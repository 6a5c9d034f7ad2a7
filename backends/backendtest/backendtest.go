// Package backendtest checks a backend against the ground truth the
// workloads provide, on the running kernel: the shared body of every
// backend package's coverage tests.
package backendtest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/tracebench/tracebench/backends"
	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/cgroup"
	"github.com/tracebench/tracebench/internal/mounts"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/kstate"
	"github.com/tracebench/tracebench/workloads"
)

// Case is one coverage check.
type Case struct {
	Event   event.Event
	Mode    backends.Mode
	Options map[string]string
	Ops     int  // operations the workload performs while attached
	Noise   bool // run a second workload outside the cgroup, making the same calls
	// Toggles detaches and attaches again that many times, the workload
	// running Ops operations in each attachment and as many while
	// detached, which must not be counted: counters add up across
	// attachments.
	Toggles int
	// LoginUID, when not zero, is the audit login uid the workload sets,
	// and the workload starts after Setup, as the harness does for audit
	// backends: their Setup enables audit, and a task forked before audit
	// was first enabled is never audited.
	LoginUID uint32
}

// Result is what the backend reported and the workload produced.
type Result struct {
	Want     uint64 // operations asked of the workload
	Produced uint64 // operations it reported
	// Counter is what the backend counted while attached, totals
	// included; its facts are the last ones it reported.
	Counter backends.Counter
	Setup   backends.SetupResult
}

// Run sets b up for c on a fresh workload cgroup, attaches, runs the
// workload (and the noise workload, concurrently, if asked), detaches and
// returns the counters. Kernel changes b plans are journaled in a
// temporary directory and undone at the end; tracefs is mounted for the
// test if the system has not.
func Run(t *testing.T, b backends.Backend, c Case) Result {
	t.Helper()
	testutil.RequireRoot(t)
	ctx := context.Background()
	j, err := kstate.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := j.Close(); err != nil {
			t.Errorf("restore kernel state: %v", err)
		}
	})
	if point, _ := mounts.Find("tracefs"); point == "" {
		must(t, record(j, kstate.Change{Owner: "test", Kind: kstate.Mount, Path: "/sys/kernel/tracing"}))
		if _, _, err := mounts.Ensure("tracefs", "/sys/kernel/tracing"); err != nil {
			t.Fatal(err)
		}
	}
	root, err := mounts.Find("cgroup2")
	if err != nil || root == "" {
		t.Fatalf("no cgroup2 mount: %v", err)
	}
	name := fmt.Sprintf("tracebench-test-%d", os.Getpid())
	must(t, record(j, kstate.Change{Owner: "test", Kind: kstate.Cgroup, Path: root + "/" + name}))
	g, err := cgroup.Create(root, name)
	if err != nil {
		t.Fatal(err)
	}
	cpu := runtime.NumCPU() - 1
	s := backends.Setup{
		Events:  []event.Event{c.Event},
		Mode:    c.Mode,
		Filter:  backends.Filter{CgroupID: g.ID, CgroupPath: g.Path, LoginUID: c.LoginUID},
		Options: c.Options,
		Tag:     fmt.Sprintf("tbtest%d", os.Getpid()),
	}
	var agent *workloads.Agent
	if c.LoginUID == 0 {
		agent = startAgent(t, cpu, 0)
		must(t, g.Add(agent.PID()))
		s.Filter.PID, s.Filter.LoginUID = agent.PID(), agent.LoginUID()
	}
	plan, err := b.Plan(ctx, s)
	must(t, err)
	for _, ch := range plan {
		ch.Owner = "backend"
		must(t, record(j, ch))
	}
	res := Result{}
	res.Setup, err = b.Setup(ctx, s)
	if err != nil {
		t.Fatalf("setup %s %s: %v", c.Event, c.Mode, err)
	}
	defer b.Teardown(ctx)
	if agent == nil {
		agent = startAgent(t, cpu, c.LoginUID)
		must(t, g.Add(agent.PID()))
		if agent.LoginUID() != c.LoginUID {
			t.Fatalf("workload could not set its audit login uid %d", c.LoginUID)
		}
	}
	before, err := b.Counters(ctx)
	must(t, err)
	chunk := max(1, c.Ops/10)
	spec := workloads.RunSpec{Load: workloads.ForEvent(c.Event), ChunkOps: chunk, MaxChunks: c.Ops / chunk}
	res.Want = uint64((c.Toggles + 1) * chunk * (c.Ops / chunk))
	for round := range c.Toggles + 1 {
		if round > 0 {
			// Detached: events nobody may count.
			_, err := agent.Run(ctx, spec, nil)
			must(t, err)
		}
		if _, err := b.Attach(ctx); err != nil {
			t.Fatalf("attach %s %s: %v", c.Event, c.Mode, err)
		}
		noiseDone := make(chan error, 1)
		if c.Noise && round == 0 {
			noise := startAgent(t, -1, 0)
			go func() {
				_, err := noise.Run(ctx, workloads.RunSpec{Load: workloads.ForEvent(c.Event), ChunkOps: chunk, MaxChunks: 10}, nil)
				noiseDone <- err
			}()
		} else {
			noiseDone <- nil
		}
		n, err := agent.Run(ctx, spec, nil)
		must(t, err)
		res.Produced += n
		must(t, <-noiseDone)
		if _, err := b.Detach(ctx); err != nil {
			t.Fatalf("detach: %v", err)
		}
	}
	after, err := b.Counters(ctx)
	must(t, err)
	a, b0 := after[c.Event], before[c.Event]
	res.Counter = backends.Counter{
		Seen:     a.Seen - b0.Seen,
		Lost:     a.Lost - b0.Lost,
		Invalid:  a.Invalid - b0.Invalid,
		Sampling: a.Sampling,
		Expected: a.Expected - b0.Expected,
		Totals:   map[string]uint64{},
		Facts:    a.Facts,
	}
	for k, v := range a.Totals {
		res.Counter.Totals[k] = v - b0.Totals[k]
	}
	return res
}

// Exact runs c and fails t unless the backend saw exactly what the
// workload produced and lost nothing.
func Exact(t *testing.T, b backends.Backend, c Case) Result {
	t.Helper()
	r := Run(t, b, c)
	if r.Produced != r.Want {
		t.Errorf("workload produced %d, want %d", r.Produced, r.Want)
	}
	if r.Counter.Seen != r.Produced || r.Counter.Lost != 0 {
		t.Errorf("%s %s: seen %d lost %d, want seen %d lost 0", c.Event, c.Mode, r.Counter.Seen, r.Counter.Lost, r.Produced)
	}
	return r
}

func startAgent(t *testing.T, cpu int, loginUID uint32) *workloads.Agent {
	t.Helper()
	a, err := workloads.Start(testutil.Binary(t), []string{"workload", "agent"}, workloads.AgentConfig{CPU: cpu, LoginUID: loginUID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func record(j *kstate.Journal, c kstate.Change) error {
	_, err := j.Record(c)
	return err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
