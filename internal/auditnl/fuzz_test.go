package auditnl

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseRecord feeds arbitrary payloads through the parser and
// everything built on a parsed record. The seed corpus in
// testdata/fuzz/FuzzParseRecord holds real records of every type tracebench
// reads; the records captured on both arches are added too.
func FuzzParseRecord(f *testing.F) {
	for _, file := range []string{"testdata/records-6.1-amd64.txt", "testdata/records-6.1-arm64.txt"} {
		for _, m := range readCaptured(f, file) {
			f.Add(m.Type, m.Data)
		}
	}
	f.Fuzz(func(t *testing.T, typ uint16, payload []byte) {
		r, err := ParseRecord(typ, payload)
		if err != nil {
			return
		}
		checkRecord(t, r)
		if r.Type != typ {
			t.Fatalf("type %d, want %d", r.Type, typ)
		}
	})
}

// FuzzParseLogLine does the same for auditd log lines.
func FuzzParseLogLine(f *testing.F) {
	for _, m := range capturedRecords(f) {
		f.Add("type=" + TypeName(m.Type) + " msg=" + string(m.Data))
	}
	f.Add("node=guest type=UNKNOWN[1334] msg=audit(1.000:1): x=1\x1dENRICHED=yes")
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseLogLine(line)
		if err != nil {
			return
		}
		checkRecord(t, r)
		if strings.Contains(r.Node, " ") {
			t.Fatalf("node %q contains a space", r.Node)
		}
	})
}

// checkRecord checks a parsed record's invariants and runs it through the
// event code, which must not panic on any record.
func checkRecord(t *testing.T, r Record) {
	t.Helper()
	if r.Milli > 999 {
		t.Fatalf("milliseconds %d", r.Milli)
	}
	for _, f := range r.Fields {
		if f.Name == "" || strings.ContainsAny(f.Name, " =") {
			t.Fatalf("field name %q", f.Name)
		}
		r.Text(f.Name)
	}
	a := NewAssembler(time.Second)
	e := a.Add(r, time.Time{})
	if e == nil {
		rest := a.Flush()
		if len(rest) != 1 {
			t.Fatalf("Flush returned %d events for one record", len(rest))
		}
		e = &rest[0]
	}
	e.Syscall()
	e.MissingRecords(FromNetlink)
	e.MissingRecords(FromLog)
	e.Argv()
	NewCounter(FromNetlink).Add(e)
}
