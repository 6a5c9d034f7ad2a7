package tracefs_test

import (
	"fmt"
	"log"
	"time"

	"github.com/tracebench/tracebench/internal/tracefs"
)

// Counting a workload's getppid calls with a trace event: count mode reads
// the kernel's counters, stream mode reads every record.
func Example() {
	fs, err := tracefs.Open(func(c tracefs.Change) error {
		// Journal the undo of c here, before it is made.
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	in, err := fs.NewInstance("example")
	if err != nil {
		log.Fatal(err)
	}
	defer in.Remove()
	ev := tracefs.Event{Group: "syscalls", Name: "sys_enter_getppid"}
	id, err := fs.EventID(ev)
	if err != nil {
		log.Fatal(err)
	}
	workloadPID := 4242 // started, and waiting for a go
	if err := in.SetEventPIDs(true, workloadPID); err != nil {
		log.Fatal(err)
	}
	r, err := in.OpenReader()
	if err != nil {
		log.Fatal(err)
	}
	if err := in.EnableEvent(ev); err != nil {
		log.Fatal(err)
	}
	// … let the workload run; while it does, stream:
	seen := tracefs.Counter{}
	for range 10 {
		r.Wait(100 * time.Millisecond)
		if _, err := r.Drain(seen.Add); err != nil {
			log.Fatal(err)
		}
	}
	if err := in.DisableEvent(ev); err != nil {
		log.Fatal(err)
	}
	if _, err := r.Drain(seen.Add); err != nil { // what is left
		log.Fatal(err)
	}
	st, err := in.Stats()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("seen", seen[id], "lost", st.Lost())
}
