package tracefs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFindMount(t *testing.T) {
	for file, want := range map[string]string{
		"both":    DefaultMountPoint,
		"debugfs": "/sys/kernel/debug/tracing",
		"escaped": "/mnt/trace dir",
	} {
		got, err := findMount(filepath.Join("testdata/mountinfo", file))
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", file, got, err, want)
		}
	}
	if _, err := findMount("testdata/mountinfo/none"); !errors.Is(err, ClassNotMounted) {
		t.Errorf("none: %v, want %s", err, ClassNotMounted)
	}
}

// Stats files as 6.18 writes them: empty, and with 100 events under a
// nanosecond clock (printed in µs) and under the counter clock (raw).
func TestParseStats(t *testing.T) {
	for file, want := range map[string]Stats{
		"empty-local": {NowTS: 1338_535_746_000},
		"100-local":   {Entries: 100, Bytes: 2000, OldestEventTS: 1339_380_871_000, NowTS: 1339_381_351_000},
		"100-counter": {Entries: 100, Bytes: 2000, OldestEventTS: 208, NowTS: 308},
	} {
		b, err := os.ReadFile(filepath.Join(fixtures, "stats", file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseStats(b)
		if err != nil || got != want {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", file, got, err, want)
		}
	}
	for _, bad := range []string{"", "entries: x\noverrun: 0\n", "entries: 1\noverrun: 0\nnow ts: 1.5\n"} {
		if _, err := ParseStats([]byte(bad)); !errors.Is(err, ClassBadInput) {
			t.Errorf("ParseStats(%q) = %v, want %s", bad, err, ClassBadInput)
		}
	}
}

func TestStatsAdd(t *testing.T) {
	a := Stats{Entries: 1, Overrun: 2, CommitOverrun: 3, Bytes: 4, OldestEventTS: 50, NowTS: 60, DroppedEvents: 7, ReadEvents: 8}
	b := Stats{Entries: 10, Overrun: 20, CommitOverrun: 30, Bytes: 40, OldestEventTS: 0, NowTS: 70, DroppedEvents: 70, ReadEvents: 80}
	want := Stats{Entries: 11, Overrun: 22, CommitOverrun: 33, Bytes: 44, OldestEventTS: 50, NowTS: 70, DroppedEvents: 77, ReadEvents: 88}
	if got := a.Add(b); got != want {
		t.Errorf("Add = %+v, want %+v", got, want)
	}
	if got := want.Lost(); got != 22+33+77 {
		t.Errorf("Lost = %d", got)
	}
}

func TestParseFormat(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "formats", "sched_sched_process_exec"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFormat(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Field{
		{Name: "common_type", Type: "unsigned short", Offset: 0, Size: 2},
		{Name: "common_flags", Type: "unsigned char", Offset: 2, Size: 1},
		{Name: "common_preempt_count", Type: "unsigned char", Offset: 3, Size: 1},
		{Name: "common_pid", Type: "int", Offset: 4, Size: 4, Signed: true},
		{Name: "filename", Type: "__data_loc char[]", Offset: 8, Size: 4},
		{Name: "pid", Type: "pid_t", Offset: 12, Size: 4, Signed: true},
		{Name: "old_pid", Type: "pid_t", Offset: 16, Size: 4, Signed: true},
	}
	if f.Name != "sched_process_exec" || f.ID != 365 || len(f.Fields) != len(want) {
		t.Fatalf("format %+v", f)
	}
	for i := range want {
		if f.Fields[i] != want[i] {
			t.Errorf("field %d: %+v, want %+v", i, f.Fields[i], want[i])
		}
	}
	b, err = os.ReadFile(filepath.Join(fixtures, "formats", "ftrace_function"))
	if err != nil {
		t.Fatal(err)
	}
	if f, err = ParseFormat(b); err != nil {
		t.Fatal(err)
	}
	if fl, _ := f.Field("args"); fl.Type != "unsigned long[]" || fl.Size != 0 {
		t.Errorf("args field %+v", fl)
	}
}

func TestFieldDecoding(t *testing.T) {
	rec := []byte{
		0xfe, 0xff, 0x80, 0x00, // s16 -2, u8 0x80, u8 0
		12, 0, 5, 0, // __data_loc: offset 12, length 5
		4, 0, 3, 0, // __rel_loc: offset 4 after its end (16), length 3
		'h', 'i', 0, 'x', // data_loc "hi\0x"; rel_loc at 16
		'a', 'b', 'c', 0,
	}
	s16 := Field{Name: "s", Type: "short", Offset: 0, Size: 2, Signed: true}
	u8 := Field{Name: "u", Type: "unsigned char", Offset: 2, Size: 1}
	s8 := Field{Name: "c", Type: "char", Offset: 2, Size: 1, Signed: true}
	loc := Field{Name: "l", Type: "__data_loc char[]", Offset: 4, Size: 4}
	rel := Field{Name: "r", Type: "__rel_loc char[]", Offset: 8, Size: 4}
	if v, err := s16.Int(rec); v != -2 || err != nil {
		t.Errorf("s16 = %d, %v", v, err)
	}
	if v, err := u8.Int(rec); v != 0x80 || err != nil {
		t.Errorf("u8 = %d, %v", v, err)
	}
	if v, err := s8.Int(rec); v != -128 || err != nil {
		t.Errorf("s8 = %d, %v", v, err)
	}
	if s, err := loc.String(rec); s != "hi" || err != nil {
		t.Errorf("data_loc = %q, %v", s, err)
	}
	if s, err := rel.String(rec); s != "abc" || err != nil {
		t.Errorf("rel_loc = %q, %v", s, err)
	}
	bad := map[string]error{}
	_, bad["field beyond record"] = s16.Int(rec[:1])
	_, bad["3-byte integer"] = Field{Name: "odd", Size: 3}.Uint(rec)
	_, bad["data beyond record"] = loc.Bytes(rec[:14])
	_, bad["2-byte data_loc"] = Field{Name: "l", Type: "__data_loc char[]", Size: 2}.Bytes(rec)
	for name, err := range bad {
		if !errors.Is(err, ClassBadInput) {
			t.Errorf("%s: %v, want %s", name, err, ClassBadInput)
		}
	}
}

func TestParseEvent(t *testing.T) {
	for s, want := range map[string]Event{
		"syscalls:sys_enter_getppid": getppidEvent,
		"sched/sched_process_exec":   execEvent,
	} {
		if got, err := ParseEvent(s); got != want || err != nil {
			t.Errorf("ParseEvent(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "sched", ":x", "a:b/c", "../x:y"} {
		if _, err := ParseEvent(s); !errors.Is(err, ClassBadInput) {
			t.Errorf("ParseEvent(%q) = %v, want %s", s, err, ClassBadInput)
		}
	}
}

func TestParsePageLayoutErrors(t *testing.T) {
	hp, err := os.ReadFile(filepath.Join(fixtures, "header_page"))
	if err != nil {
		t.Fatal(err)
	}
	he, err := os.ReadFile(filepath.Join(fixtures, "header_event"))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string][2]string{
		"no header_page":  {"", string(he)},
		"no header_event": {string(hp), ""},
		"33-bit header":   {string(hp), "type_len : 6 bits\ntime_delta : 27 bits\npadding : type == 29\ntime_extend : type == 30\ndata max type_len == 28\n"},
		"bad type values": {string(hp), "type_len : 5 bits\ntime_delta : 27 bits\npadding : type == 40\ntime_extend : type == 30\ndata max type_len == 28\n"},
	} {
		if _, err := ParsePageLayout([]byte(tc[0]), []byte(tc[1])); !errors.Is(err, ClassBadInput) {
			t.Errorf("%s: %v, want %s", name, err, ClassBadInput)
		}
	}
}
