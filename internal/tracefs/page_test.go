package tracefs

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// The page fixtures are real pages read from trace_pipe_raw on Linux 6.18
// amd64 (go test -run TestCaptureFixtures -capture DIR writes them); each
// capture.json holds the ground truth known without the decoder.
const fixtures = "testdata/linux-6.18-amd64"

func fixtureLayout(t testing.TB) PageLayout {
	t.Helper()
	hp, err := os.ReadFile(filepath.Join(fixtures, "header_page"))
	if err != nil {
		t.Fatal(err)
	}
	he, err := os.ReadFile(filepath.Join(fixtures, "header_event"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParsePageLayout(hp, he)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// loadCapture returns a capture's ground truth and its pages, CPU 0 first.
func loadCapture(t testing.TB, name string) (capture, [][]byte) {
	t.Helper()
	dir := filepath.Join(fixtures, "pages", name)
	b, err := os.ReadFile(filepath.Join(dir, "capture.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c capture
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	var pages [][]byte
	for _, cpu := range slices.Sorted(maps.Keys(c.Pages)) {
		for _, f := range c.Pages[cpu] {
			p, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, p)
		}
	}
	return c, pages
}

// decodeAll decodes pages in order, copying the records.
func decodeAll(t *testing.T, l PageLayout, pages [][]byte) ([]Record, []PageInfo) {
	t.Helper()
	var recs []Record
	var infos []PageInfo
	for i, p := range pages {
		info, err := l.DecodePage(p, func(r Record) {
			recs = append(recs, Record{TS: r.TS, Data: slices.Clone(r.Data)})
		})
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		infos = append(infos, info)
	}
	return recs, infos
}

func fixtureField(t *testing.T, event, name string) Field {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "formats", event))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFormat(b)
	if err != nil {
		t.Fatal(err)
	}
	fl, ok := f.Field(name)
	if !ok {
		t.Fatalf("%s: no field %s", event, name)
	}
	return fl
}

func TestParsePageLayout(t *testing.T) {
	want := PageLayout{
		Size: 4096, TimestampOffset: 0, CommitOffset: 8, CommitSize: 8, DataOffset: 16,
		TypeLenBits: 5, TimeDeltaBits: 27, MaxDataType: 28, Padding: 29, TimeExtend: 30, TimeStamp: 31,
	}
	if got := fixtureLayout(t); got != want {
		t.Errorf("layout\n got %+v\nwant %+v", got, want)
	}
}

// 300 getppid calls with a 300 ms pause halfway: the pause exceeds what a
// 27-bit time_delta holds (134 ms), so the pages carry a time-extend event.
func TestDecodeGetppidPages(t *testing.T) {
	l := fixtureLayout(t)
	c, pages := loadCapture(t, "getppid")
	recs, infos := decodeAll(t, l, pages)
	if uint64(len(recs)) != c.Produced {
		t.Fatalf("%d records, want %d", len(recs), c.Produced)
	}
	pid := fixtureField(t, "syscalls_sys_enter_getppid", "common_pid")
	nr := fixtureField(t, "syscalls_sys_enter_getppid", "__syscall_nr")
	var gaps []int
	for i, r := range recs {
		p, _ := pid.Int(r.Data)
		n, _ := nr.Int(r.Data)
		if c.Events[r.Type()] != getppidEvent.String() || p != int64(c.PID) || n != 110 {
			t.Fatalf("record %d: type %d pid %d nr %d, want %s by %d, syscall 110", i, r.Type(), p, n, getppidEvent, c.PID)
		}
		if i > 0 && r.TS < recs[i-1].TS {
			t.Fatalf("record %d: time goes back", i)
		}
		if i > 0 && r.TS-recs[i-1].TS >= uint64(300*time.Millisecond) {
			gaps = append(gaps, i)
		}
	}
	if want := []int{int(c.Produced / 2)}; !slices.Equal(gaps, want) {
		t.Errorf("pauses of 300 ms or more before records %v, want %v", gaps, want)
	}
	// The kernel's "oldest event ts" is the first page's time stamp,
	// rounded to µs.
	if got, want := (infos[0].TS+500)/1000*1000, c.Stats[0].OldestEventTS; got != want {
		t.Errorf("first page at %d ns, stats say %d", got, want)
	}
}

// Five execs of the test binary by forked children, under a long name: the
// records are too long for type_len and carry their length in array[0].
func TestDecodeExecPages(t *testing.T) {
	l := fixtureLayout(t)
	c, pages := loadCapture(t, "exec")
	recs, _ := decodeAll(t, l, pages)
	if uint64(len(recs)) != c.Produced {
		t.Fatalf("%d records, want %d", len(recs), c.Produced)
	}
	filename := fixtureField(t, "sched_sched_process_exec", "filename")
	pidField := fixtureField(t, "sched_sched_process_exec", "pid")
	oldPID := fixtureField(t, "sched_sched_process_exec", "old_pid")
	pids := map[int64]bool{}
	for i, r := range recs {
		name, err := filename.String(r.Data)
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := pidField.Int(r.Data)
		old, _ := oldPID.Int(r.Data)
		if c.Events[r.Type()] != execEvent.String() || name != c.Filename || pid != old || pid == int64(c.PID) || pids[pid] {
			t.Errorf("record %d: type %d filename %q pid %d old_pid %d; want %s of %q by a new child of %d",
				i, r.Type(), name, pid, old, execEvent, c.Filename, c.PID)
		}
		pids[pid] = true
	}
}

// A 7 KiB buffer overrun by 20000 records: what is left are the newest
// records, and the first page read is flagged with missed events, their
// count stored after its data.
func TestDecodeOverrunPages(t *testing.T) {
	l := fixtureLayout(t)
	c, pages := loadCapture(t, "overrun")
	recs, infos := decodeAll(t, l, pages)
	var st Stats
	for _, s := range c.Stats {
		st = st.Add(s.Stats)
	}
	if uint64(len(recs)) != st.Entries || st.Entries+st.Overrun != c.Produced {
		t.Errorf("%d records; stats %+v; produced %d", len(recs), st, c.Produced)
	}
	if !infos[0].Missed || !infos[0].MissedStored || infos[0].MissedCount != st.Overrun {
		t.Errorf("first page %+v: want %d missed events, stored", infos[0], st.Overrun)
	}
	if slices.ContainsFunc(infos[1:], func(p PageInfo) bool { return p.Missed }) {
		t.Errorf("missed flags %+v: want the first page only", infos)
	}
	ret := fixtureField(t, "syscalls_sys_exit_getppid", "ret")
	for i, r := range recs {
		ppid, err := ret.Int(r.Data)
		if c.Events[r.Type()] != getppidExitEvent.String() || err != nil || ppid != int64(c.PPID) {
			t.Fatalf("record %d: type %d ret %d (%v)", i, r.Type(), ppid, err)
		}
	}
}

// recordsEnd is the page offset just past the last record.
func recordsEnd(t *testing.T, l PageLayout, page []byte) int {
	end := 0
	if _, err := l.DecodePage(page, func(r Record) { end = len(page) - cap(r.Data) + len(r.Data) }); err != nil {
		t.Fatal(err)
	}
	return end
}

// An absolute timestamp event (type_len 31) sets the time instead of adding
// to it. None occurs in delta mode, the default, so this is the getppid
// page with its time-extend event rewritten as the equivalent time stamp.
func TestDecodeTimeStamp(t *testing.T) {
	l := fixtureLayout(t)
	_, pages := loadCapture(t, "getppid")
	want, _ := decodeAll(t, l, pages[:1])
	page := slices.Clone(pages[0])
	ts := binary.LittleEndian.Uint64(page[l.TimestampOffset:])
	found := false
	for off := l.DataOffset; off < recordsEnd(t, l, page); {
		hdr := binary.LittleEndian.Uint32(page[off:])
		typeLen, delta := hdr&31, uint64(hdr>>5)
		switch {
		case typeLen == l.TimeExtend:
			ts += uint64(binary.LittleEndian.Uint32(page[off+4:]))<<27 | delta
			abs := ts & (1<<59 - 1)
			binary.LittleEndian.PutUint32(page[off:], uint32(abs&(1<<27-1))<<5|l.TimeStamp)
			binary.LittleEndian.PutUint32(page[off+4:], uint32(abs>>27))
			found = true
			off += 8
		case typeLen >= 1 && typeLen <= l.MaxDataType:
			ts += delta
			off += 4 + 4*int(typeLen)
		default:
			t.Fatalf("unexpected type_len %d in the fixture", typeLen)
		}
	}
	if !found {
		t.Fatal("fixture has no time-extend event")
	}
	got, _ := decodeAll(t, l, [][]byte{page})
	if !slices.EqualFunc(got, want, recordEqual) {
		t.Error("records differ after rewriting the time extend as a time stamp")
	}
}

func recordEqual(a, b Record) bool { return a.TS == b.TS && slices.Equal(a.Data, b.Data) }

// Malformed pages fail with ClassBadInput, never a panic or a read outside
// the page.
func TestDecodeCorruptPages(t *testing.T) {
	l := fixtureLayout(t)
	_, pages := loadCapture(t, "exec") // type_len 0 records: length in array[0]
	_, getppid := loadCapture(t, "getppid")
	end := recordsEnd(t, l, pages[0])
	set32 := func(p []byte, off int, v uint32) []byte {
		p = slices.Clone(p)
		binary.LittleEndian.PutUint32(p[off:], v)
		return p
	}
	set64 := func(p []byte, off int, v uint64) []byte {
		p = slices.Clone(p)
		binary.LittleEndian.PutUint64(p[off:], v)
		return p
	}
	// With a layout whose largest data type_len is 2, the 20-byte getppid
	// records are of no known type.
	short := l
	short.MaxDataType = 2
	for _, tc := range []struct {
		name   string
		layout PageLayout
		page   []byte
	}{
		{"shorter than header", l, pages[0][:10]},
		{"commit beyond page", l, set64(pages[0], l.CommitOffset, 4096)},
		{"cut inside an event", l, pages[0][:end-3]},
		{"commit inside header", l, set64(pages[0], l.CommitOffset, 2)},
		{"length word too small", l, set32(pages[0], l.DataOffset+4, 2)},
		{"length beyond commit", l, set32(pages[0], l.DataOffset+4, 4000)},
		{"bad discarded length", l, set32(set32(pages[0], l.DataOffset, l.Padding|1<<5), l.DataOffset+4, 1)},
		{"missed count outside", l, set64(getppid[0][:l.DataOffset+24], l.CommitOffset, 24|missedStored)},
		{"unknown type", short, getppid[0]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.layout.DecodePage(tc.page, func(Record) {})
			if !errors.Is(err, ClassBadInput) {
				t.Fatalf("err = %v, want %s", err, ClassBadInput)
			}
		})
	}
}
