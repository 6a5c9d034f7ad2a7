package tracefs

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkGetppid times a getppid(2) call untraced, traced into an
// instance (sys_enter_getppid, pid-filtered to the benchmark's thread), and
// with the event enabled but filtered out by pid (the cost a pid filter
// leaves on other processes). Informal: the harness measures properly.
//
//	go test -run '^$' -bench Getppid ./internal/tracefs
func BenchmarkGetppid(b *testing.B) {
	if testFS == nil {
		b.Skip("needs root: talks to the kernel's tracefs")
	}
	for _, bc := range []struct {
		name           string
		enable, ourPID bool
	}{
		{"untraced", false, true},
		{"traced", true, true},
		{"filtered-out", true, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			// The calls must come from the thread set_event_pid names.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			pid := 1
			if bc.ourPID {
				pid = unix.Gettid()
			}
			in, err := testFS.NewInstance(tagged("bench"))
			if err != nil {
				b.Fatal(err)
			}
			defer in.Remove()
			if err := in.SetEventPIDs(false, pid); err != nil {
				b.Fatal(err)
			}
			if bc.enable {
				if err := in.EnableEvent(getppidEvent); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
			}
			b.StopTimer()
			if st, err := in.Stats(); err != nil {
				b.Fatal(err)
			} else if bc.name == "traced" && st.Entries+st.Overrun < uint64(b.N) {
				b.Fatalf("%d events recorded for %d calls", st.Entries+st.Overrun, b.N)
			}
		})
	}
}
