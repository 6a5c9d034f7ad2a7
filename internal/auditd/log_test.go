package auditd

import (
	"errors"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/internal/auditnl"
)

// The logs in testdata were written by Debian's auditd 3.0.9 in a 6.1
// guest, in both formats, while a workload with login uid 4242 made three
// getppid calls, opened files, connected to loopback and ran an execve with
// a 9000-byte argument under rules keyed tb-<syscall>. In the RAW run, audit
// had been enabled before the guest's init started the threads that changed
// the rules, so those changes are syscall events (sendto, no key) too.
func TestReadLog(t *testing.T) {
	for _, tc := range []struct {
		file          string
		lines, events int
		openat        uint64
		unkeyed       uint64
	}{
		{"testdata/audit-enriched.log", 66, 26, 9, 1},
		{"testdata/audit-raw.log", 93, 27, 10, 9},
	} {
		t.Run(tc.file, func(t *testing.T) {
			c := auditnl.NewCounter(auditnl.FromLog)
			st, err := ReadLog(tc.file, c)
			if err != nil {
				t.Fatal(err)
			}
			if st.Lines != tc.lines || st.Records != tc.lines || st.Unknown != 0 || st.Events != tc.events {
				t.Errorf("stats %+v, want %d lines and records, %d events", st, tc.lines, tc.events)
			}
			for _, want := range []struct {
				key string
				nr  int
				n   uint64
			}{
				{"tb-getppid", 110, 3}, {"tb-openat", 257, tc.openat}, {"tb-connect", 42, 1},
				{"tb-execve", 59, 1}, {"", 44, tc.unkeyed},
			} {
				if got := c.Count(want.key, want.nr); got != want.n {
					t.Errorf("Count(%q, %d) = %d, want %d", want.key, want.nr, got, want.n)
				}
			}
			if c.Incomplete != 0 || c.Orphans != 0 || c.Malformed != 0 {
				t.Errorf("evidence of loss in a complete log: %+v", c)
			}
		})
	}
}

func TestParseLogEnrichedPart(t *testing.T) {
	line := `type=SYSCALL msg=audit(1795625530.639:2): arch=c000003e syscall=44 success=yes exit=60 items=0 ppid=1 pid=87 auid=4294967295 comm="auditd" key=(null)` +
		"\x1dARCH=x86_64 SYSCALL=sendto AUID=\"unset\""
	r, err := auditnl.ParseLogLine("node=guest1 " + line)
	if err != nil {
		t.Fatal(err)
	}
	last := r.Fields[len(r.Fields)-1]
	if r.Node != "guest1" || r.Type != auditnl.TypeSyscall || last.Name != "key" || last.Value != "(null)" {
		t.Errorf("node %q type %d last field %+v", r.Node, r.Type, last)
	}
}

func TestParseLogErrors(t *testing.T) {
	c := auditnl.NewCounter(auditnl.FromLog)
	log := "type=EOE msg=audit(1.000:1): \ntype=SYSCALL msg=garbage\n"
	if _, err := ParseLog(strings.NewReader(log), c); !errors.Is(err, auditnl.ErrBadRecord) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want ErrBadRecord at line 2", err)
	}
	st, err := ParseLog(strings.NewReader("type=USER_FANCY msg=audit(1.000:1): x=1\n"), c)
	if err != nil || st.Unknown != 1 {
		t.Errorf("unknown type: %+v, %v; want counted as unknown", st, err)
	}
}
