package auditd

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tracebench/tracebench/internal/auditnl"
)

// A log read while it grows, in pieces that cut lines anywhere, counts
// every event once: here 100000 getppid events from 4 tasks whose records
// interleave, 10 per millisecond, written in 7 appends.
func TestTail(t *testing.T) {
	const n, tasks = 100000, 4
	path := filepath.Join(t.TempDir(), "audit.log")
	var log []byte
	for i := range n {
		ms := i / 10 // 10 s of log time: events expire as the log is read
		stamp := fmt.Sprintf("audit(%d.%03d:%d)", 1795625531+ms/1000, ms%1000, 100+i)
		log = fmt.Appendf(log, "type=SYSCALL msg=%s: arch=c000003e syscall=110 success=yes exit=1 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=%d auid=4242 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=2 comm=\"w\" exe=\"/w\" key=\"tb\"\n", stamp, 200+i%tasks)
		log = fmt.Appendf(log, "type=PROCTITLE msg=%s: proctitle=77\n", stamp)
	}
	tail := NewTail(path)
	c := auditnl.NewCounter(auditnl.FromLog)
	if err := tail.Read(c); err != nil { // not yet created
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for piece := range 7 {
		end := len(log) * (piece + 1) / 7
		if _, err := f.Write(log[len(log)*piece/7 : end]); err != nil {
			t.Fatal(err)
		}
		if err := tail.Read(c); err != nil {
			t.Fatal(err)
		}
	}
	tail.Flush(c)
	if got := c.Count("tb", 110); got != n {
		t.Errorf("counted %d events, want %d", got, n)
	}
	if st := tail.Stats(); st.Records != 2*n || st.Events != n || c.Incomplete != 0 {
		t.Errorf("stats %+v, incomplete %d", st, c.Incomplete)
	}
}
