package auditnl

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// capturedRecords reads testdata/records-6.1-amd64.txt: real records from a
// guest kernel, one "TYPE PAYLOAD" per line.
func capturedRecords(t testing.TB) []Message {
	t.Helper()
	return readCaptured(t, "testdata/records-6.1-amd64.txt")
}

func readCaptured(t testing.TB, path string) []Message {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Message
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		typ, payload, ok := strings.Cut(line, " ")
		n, err := strconv.ParseUint(typ, 10, 16)
		if !ok || err != nil {
			t.Fatalf("bad testdata line %.40q", line)
		}
		out = append(out, Message{Type: uint16(n), Data: []byte(payload)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParseRecordFields(t *testing.T) {
	r, err := ParseRecord(TypeSyscall, []byte(`audit(1795623258.454:12): arch=c000003e syscall=110 success=yes exit=1 items=0 ppid=1 pid=85 auid=4242 comm="init" exe="/init" key="tb-getppid"`+"\x00"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Sec != 1795623258 || r.Milli != 454 || r.Serial != 12 || len(r.Fields) != 11 {
		t.Errorf("stamp %d.%03d:%d, %d fields", r.Sec, r.Milli, r.Serial, len(r.Fields))
	}
	if !r.Time().Equal(time.Unix(1795623258, 454e6)) {
		t.Errorf("Time() = %v", r.Time())
	}
	if f := r.Fields[8]; f.Name != "comm" || f.Value != "init" || !f.Quoted {
		t.Errorf("comm field = %+v", f)
	}
	if v, _ := r.Uint("arch", 16); Arch(v) != ArchX86_64 {
		t.Errorf("arch = %#x", v)
	}
	for _, bad := range []string{
		"", "audit(", "audit(1.2:3", "audit(1:2): x=1", "audit(1.2.3:4): ", "audit(1.1000:4): ",
		"audit(-1.000:4): ", "type=SYSCALL msg=audit(1.000:1): ",
	} {
		if _, err := ParseRecord(TypeSyscall, []byte(bad)); !errors.Is(err, ErrBadRecord) {
			t.Errorf("ParseRecord(%q): err = %v, want ErrBadRecord", bad, err)
		}
	}
}

func TestParseFieldsQuoting(t *testing.T) {
	got := parseFields(` a=1  b="x y" msg='op=start res=success' word c= d="unterminated`)
	want := []RecordField{
		{"a", "1", false}, {"b", "x y", true},
		{"msg", "op=start res=success", true}, {"word", "", false}, {"c", "", false},
		{"d", "unterminated", true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d fields %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestCapturedEvents parses real records, groups them into events and
// checks what each event says against what the capturing workload did.
func TestCapturedEvents(t *testing.T) {
	msgs := capturedRecords(t)
	if len(msgs) != 79 {
		t.Fatalf("%d records in testdata, want 79", len(msgs))
	}
	a := NewAssembler(2 * time.Second)
	c := NewCounter(FromNetlink)
	now := time.Unix(0, 0)
	var complete []*Event
	for _, m := range msgs {
		r, err := ParseRecord(m.Type, m.Data)
		if err != nil {
			t.Fatalf("record %.60q: %v", m.Data, err)
		}
		if e := a.Add(r, now); e != nil {
			complete = append(complete, e)
			c.Add(e)
		}
	}
	// LOGIN and the six CONFIG_CHANGE records (rule additions) have no EOE.
	if a.Pending() != 7 {
		t.Errorf("%d incomplete events, want 7", a.Pending())
	}
	if got := a.Expire(now.Add(time.Second)); len(got) != 0 {
		t.Errorf("Expire before the timeout returned %d events", len(got))
	}
	rest := a.Expire(now.Add(2 * time.Second))
	if len(rest) != 7 || rest[0].Records[0].Type != 1006 || rest[0].Serial != 3 || rest[6].Serial != 9 {
		t.Errorf("expired events: %d, first %+v", len(rest), rest[0].Records)
	}
	multi, _ := rest[6].Records[0].Text("key")
	if k := Keys(multi); len(k) != 2 || k[0] != "multi" || k[1] != "key two" {
		t.Errorf("hex-encoded double key decodes to %q", k)
	}
	if len(complete) != 15 {
		t.Fatalf("%d complete events, want 15", len(complete))
	}
	for _, want := range []struct {
		key   string
		nr, n int
	}{{"tb-getppid", 110, 3}, {"tb-openat", 257, 10}, {"tb-connect", 42, 1}, {"tb-execve", 59, 1}} {
		if got := c.Count(want.key, want.nr); got != uint64(want.n) {
			t.Errorf("Count(%s, %d) = %d, want %d", want.key, want.nr, got, want.n)
		}
	}
	if c.Incomplete != 0 || c.MissingRecords != 0 || c.Orphans != 0 || c.Malformed != 0 {
		t.Errorf("counter evidence of loss in a lossless capture: %+v", c)
	}

	getppid, ok, err := complete[2].Syscall()
	want := Syscall{Arch: ArchX86_64, Number: 110, Success: true, Exit: 1, PID: 85, PPID: 1,
		AUID: 4242, Key: "tb-getppid", Comm: "init", Exe: "/init"}
	if !ok || err != nil || getppid != want {
		t.Errorf("getppid event: %+v, %v, %v\nwant %+v", getppid, ok, err, want)
	}
	if title, _ := complete[2].Records[1].Text("proctitle"); title != "/init\x00child\x00events" {
		t.Errorf("proctitle = %q", title)
	}
	missing, _, _ := complete[6].Syscall()
	if missing.Success || missing.Exit != -2 || missing.Items != 1 {
		t.Errorf("openat of a missing file: %+v", missing)
	}
	connect, _, _ := complete[8].Syscall()
	if connect.Number != 42 || connect.Exit != -115 || !complete[8].Has(TypeSockaddr) {
		t.Errorf("connect event: %+v", connect)
	}
	exec := complete[12]
	if s, _, _ := exec.Syscall(); s.Number != 59 || s.PID != 90 || s.PPID != 85 || s.Items != 2 {
		t.Errorf("execve event: %+v", s)
	}
	argv, err := exec.Argv()
	wantArgv := []string{"/init", "noop", "arg with space", `x"quote`, strings.Repeat("L", 9000)}
	if err != nil || len(argv) != len(wantArgv) {
		t.Fatalf("Argv = %d args, %v", len(argv), err)
	}
	for i := range wantArgv {
		if argv[i] != wantArgv[i] {
			t.Errorf("argv[%d] = %.30q (%d bytes), want %.30q (%d bytes)", i, argv[i], len(argv[i]), wantArgv[i], len(wantArgv[i]))
		}
	}
	if exec.count(TypeExecve) != 3 || exec.count(TypePath) != 2 {
		t.Errorf("execve event has %d EXECVE and %d PATH records, want 3 and 2", exec.count(TypeExecve), exec.count(TypePath))
	}
}

// TestMissingRecords drops records from a real event and checks that the
// loss is seen the way the kernel would count it.
func TestMissingRecords(t *testing.T) {
	msgs := capturedRecords(t)
	a := NewAssembler(time.Second)
	var events []*Event
	for _, m := range msgs {
		r, err := ParseRecord(m.Type, m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if e := a.Add(r, time.Time{}); e != nil {
			events = append(events, e)
		}
	}
	openat := *events[0] // SYSCALL items=1, CWD, PATH, PROCTITLE, EOE
	if openat.MissingRecords(FromNetlink) != 0 {
		t.Fatalf("complete openat event has %d missing records", openat.MissingRecords(FromNetlink))
	}
	lossy := Event{Records: []Record{openat.Records[0], openat.Records[1]}}
	if got := lossy.MissingRecords(FromNetlink); got != 3 { // PATH, PROCTITLE, EOE
		t.Errorf("SYSCALL+CWD only: MissingRecords = %d, want 3", got)
	}
	if got := lossy.MissingRecords(FromLog); got != 2 { // a log has no EOE
		t.Errorf("SYSCALL+CWD only, from a log: MissingRecords = %d, want 2", got)
	}
	c := NewCounter(FromNetlink)
	c.Add(&lossy)
	orphan := Event{Records: openat.Records[3:]} // PROCTITLE, EOE without SYSCALL
	c.Add(&orphan)
	if c.Incomplete != 1 || c.MissingRecords != 3 || c.Orphans != 1 || c.Count("tb-openat", 257) != 1 {
		t.Errorf("counter after lossy events: %+v counts %v", c, c.Counts())
	}
	cov := Reconcile(5, 4, c, "tb-openat", 257)
	want := Coverage{Produced: 5, Seen: 1, LostRecords: 4, MissingRecords: 3, LostEvents: 1, Unexplained: 3}
	if cov != want {
		t.Errorf("Reconcile = %+v, want %+v", cov, want)
	}
	if LostSince(Status{Lost: 0xfffffffe}, Status{Lost: 3}) != 5 {
		t.Error("LostSince does not handle the 32-bit wrap")
	}
}

// TestCapturedEventsBothArches counts the events of the captures from the
// amd64 and the arm64 guest: the same workload, each arch's own syscall
// numbers and AUDIT_ARCH value, tagged by rules built with that arch.
func TestCapturedEventsBothArches(t *testing.T) {
	for _, tc := range []struct {
		file   string
		arch   Arch
		openat uint64
	}{
		{"testdata/records-6.1-amd64.txt", ArchX86_64, 10},
		{"testdata/records-6.1-arm64.txt", ArchAArch64, 9},
	} {
		t.Run(tc.arch.String(), func(t *testing.T) {
			a := NewAssembler(time.Second)
			c := NewCounter(FromNetlink)
			for _, m := range readCaptured(t, tc.file) {
				r, err := ParseRecord(m.Type, m.Data)
				if err != nil {
					t.Fatal(err)
				}
				if e := a.Add(r, time.Time{}); e != nil {
					if s, ok, err := e.Syscall(); !ok || err != nil || s.Arch != tc.arch {
						t.Errorf("event %d: arch %v, %v, %v", e.Serial, s.Arch, ok, err)
					}
					c.Add(e)
				}
			}
			for name, n := range map[string]uint64{"getppid": 3, "openat": tc.openat, "connect": 1, "execve": 1} {
				nr, err := tc.arch.SyscallNumber(name)
				if err != nil {
					t.Fatal(err)
				}
				if got := c.Count("tb-"+name, nr); got != n {
					t.Errorf("%s (%d): %d events, want %d", name, nr, got, n)
				}
			}
			if c.Incomplete != 0 || c.Orphans != 0 || c.Malformed != 0 {
				t.Errorf("evidence of loss: %+v", c)
			}
		})
	}
}
