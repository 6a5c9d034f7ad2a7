package auditnl

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// SocketStat is what /proc/net/netlink says about one audit netlink socket.
// It shows what a receiver in another process, such as auditd, has not yet
// read (Rmem) and how often the kernel found its buffer full (Drops: each
// overrun adds one, see netlink_overrun).
type SocketStat struct {
	PortID uint32
	Groups uint32 // multicast groups joined (bit 0: AUDIT_NLGRP_READLOG)
	Rmem   uint64 // bytes queued for reading
	Drops  uint64
	Inode  uint64
}

// AuditSockets lists the NETLINK_AUDIT sockets of this network namespace,
// the kernel's own (port 0) included.
func AuditSockets() ([]SocketStat, error) {
	f, err := os.Open("/proc/net/netlink")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseNetlinkTable(bufio.NewScanner(f))
}

// parseNetlinkTable reads the columns sk Eth Pid Groups Rmem Wmem Dump
// Locks Drops Inode (net/netlink/af_netlink.c, netlink_seq_show).
func parseNetlinkTable(sc *bufio.Scanner) ([]SocketStat, error) {
	var out []SocketStat
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if line == 1 {
			continue // header
		}
		if len(f) != 10 {
			return nil, fmt.Errorf("/proc/net/netlink line %d: %d columns, want 10", line, len(f))
		}
		if f[1] != strconv.Itoa(unix.NETLINK_AUDIT) {
			continue
		}
		var s SocketStat
		var errs [5]error
		var port, groups uint64
		port, errs[0] = strconv.ParseUint(f[2], 10, 32)
		groups, errs[1] = strconv.ParseUint(f[3], 16, 32)
		s.Rmem, errs[2] = strconv.ParseUint(f[4], 10, 64)
		s.Drops, errs[3] = strconv.ParseUint(f[8], 10, 64)
		s.Inode, errs[4] = strconv.ParseUint(f[9], 10, 64)
		for _, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("/proc/net/netlink line %d: %w", line, err)
			}
		}
		s.PortID, s.Groups = uint32(port), uint32(groups)
		out = append(out, s)
	}
	return out, sc.Err()
}
