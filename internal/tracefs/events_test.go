package tracefs

import (
	"fmt"
	"maps"
	"testing"
)

var (
	getppidEvent     = Event{Group: "syscalls", Name: "sys_enter_getppid"}
	getppidExitEvent = Event{Group: "syscalls", Name: "sys_exit_getppid"}
	execEvent        = Event{Group: "sched", Name: "sched_process_exec"}
)

// drain reads the instance's buffers empty, returning records by event id
// and the records themselves (copied).
func drain(t *testing.T, in *Instance) (Counter, []Record, ReadTotals) {
	t.Helper()
	r, err := in.OpenReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	counts := Counter{}
	var recs []Record
	tot, err := r.Drain(func(cpu int, rec Record) {
		counts.Add(cpu, rec)
		recs = append(recs, Record{TS: rec.TS, Data: append([]byte(nil), rec.Data...)})
	})
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Drain(func(int, Record) {})
	if err != nil || again.Pages != 0 {
		t.Errorf("second drain: %d pages, %v; want 0 pages", again.Pages, err)
	}
	return counts, recs, tot
}

func field(t *testing.T, fs *FS, ev Event, name string) Field {
	t.Helper()
	f, err := fs.EventFormat(ev)
	if err != nil {
		t.Fatal(err)
	}
	fl, ok := f.Field(name)
	if !ok {
		t.Fatalf("%s has no field %s", ev, name)
	}
	return fl
}

func eventID(t *testing.T, fs *FS, ev Event) uint16 {
	t.Helper()
	id, err := fs.EventID(ev)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A pid-filtered instance sees exactly the workload's getppid calls: not a
// concurrent noise process's, nor those of a process started after the
// workload exited.
func TestGetppidCountedExactly(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	id := eventID(t, fs, getppidEvent)
	pidField := field(t, fs, getppidEvent, "common_pid")

	const n = 5000
	work := startHelper(t, fmt.Sprintf("getppid %d", n))
	noise := startHelper(t, "getppid 3000")
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.EnableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}
	noise.release()
	work.run()
	noise.wait()
	startHelper(t, "getppid 1000").run()
	if err := in.DisableEvent(getppidEvent); err != nil {
		t.Fatal(err)
	}

	st, err := in.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != n || st.Lost() != 0 || st.ReadEvents != 0 {
		t.Errorf("stats before reading: %+v; want %d entries, nothing lost or read", st, n)
	}
	counts, recs, tot := drain(t, in)
	if want := (Counter{id: n}); !maps.Equal(counts, want) {
		t.Errorf("records by event id = %v, want %v", counts, want)
	}
	if tot.Records != n || tot.MissedPages != 0 || tot.Discarded != 0 {
		t.Errorf("read totals %+v", tot)
	}
	pids := map[int64]int{}
	for _, rec := range recs {
		pid, err := pidField.Int(rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		pids[pid]++
	}
	if want := map[int64]int{int64(work.pid()): n}; !maps.Equal(pids, want) {
		t.Errorf("records by common_pid = %v, want %v", pids, want)
	}
	st, err = in.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 0 || st.ReadEvents != n {
		t.Errorf("stats after reading: %+v; want 0 entries, %d read", st, n)
	}
}

// event-fork follows the workload's forked children through exec: each
// exec is recorded with the child's pid, the noise process's are not. The
// long file name makes records of more than 112 bytes (type_len 0).
func TestExecFollowsForks(t *testing.T) {
	fs := needFS(t)
	in := newInstance(t, fs)
	id := eventID(t, fs, execEvent)
	filename := field(t, fs, execEvent, "filename")
	pidField := field(t, fs, execEvent, "pid")
	commonPID := field(t, fs, execEvent, "common_pid")

	const n = 10
	path := longExecPath(t)
	work := startHelper(t, fmt.Sprintf("exec %d %s", n, path))
	noise := startHelper(t, "exec 5 "+path)
	if err := in.SetEventPIDs(true, work.pid()); err != nil {
		t.Fatal(err)
	}
	if err := in.EnableEvent(execEvent); err != nil {
		t.Fatal(err)
	}
	noise.release()
	work.run()
	noise.wait()
	if err := in.DisableEvent(execEvent); err != nil {
		t.Fatal(err)
	}
	if st, err := in.Stats(); err != nil || st.Entries != n || st.Lost() != 0 {
		t.Errorf("stats = %+v, %v; want %d entries", st, err, n)
	}
	counts, recs, _ := drain(t, in)
	if want := (Counter{id: n}); !maps.Equal(counts, want) {
		t.Fatalf("records by event id = %v, want %v", counts, want)
	}
	seen := map[int64]bool{}
	for _, rec := range recs {
		name, err := filename.String(rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := pidField.Int(rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		cpid, err := commonPID.Int(rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		if name != path || pid != cpid || pid == int64(work.pid()) || seen[pid] {
			t.Errorf("exec record: filename %q pid %d common_pid %d; want %q by a new child of %d", name, pid, cpid, path, work.pid())
		}
		seen[pid] = true
	}
}
