package auditnl

import (
	"bufio"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseNetlinkTable(t *testing.T) {
	// A 6.18 table with an audit daemon (port 812) and a multicast
	// listener (port 3315, group 1) besides the kernel's socket.
	table := `sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode
00000000583f4e80 0   0          00000000 0        0        0     2        0        4
0000000018e74797 9   0          00000000 0        0        0     2        0        6
00000000a1b2c3d4 9   812        00000000 212992   0        0     2        17       40411
00000000deadbeef 9   3315       00000001 0        0        0     2        0        40420
`
	got, err := parseNetlinkTable(bufio.NewScanner(strings.NewReader(table)))
	if err != nil {
		t.Fatal(err)
	}
	want := []SocketStat{
		{PortID: 0, Inode: 6},
		{PortID: 812, Rmem: 212992, Drops: 17, Inode: 40411},
		{PortID: 3315, Groups: 1, Inode: 40420},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("socket %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := parseNetlinkTable(bufio.NewScanner(strings.NewReader("h\n1 9 2\n"))); err == nil {
		t.Error("short line accepted")
	}
}

// TestAuditSocketsHost finds this process's multicast listener in the
// kernel's table.
func TestAuditSocketsHost(t *testing.T) {
	dialHost(t) // holds the audit lock: no other test makes records meanwhile
	l, err := ListenMulticast(0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sa, err := unixGetsocknamePort(l.fd)
	if err != nil {
		t.Fatal(err)
	}
	socks, err := AuditSockets()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range socks {
		if s.PortID == sa {
			if s.Groups != 1 || s.Rmem != 0 {
				t.Errorf("listener socket %+v: want group 1, nothing queued", s)
			}
			return
		}
	}
	t.Errorf("port %d not among audit sockets %+v", sa, socks)
}

func unixGetsocknamePort(fd int) (uint32, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return 0, err
	}
	return sa.(*unix.SockaddrNetlink).Pid, nil
}
