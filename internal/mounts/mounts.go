// Package mounts finds kernel filesystems (tracefs, cgroup2, bpffs) in the
// mount table and mounts them where they are missing, reporting what it
// mounted so the caller can journal the unmount.
package mounts

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Find returns the first mount point of a filesystem of type fstype, or ""
// when there is none. It reads /proc/self/mountinfo.
func Find(fstype string) (string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// mountinfo: ID parent major:minor root mountpoint options [optional…] - fstype source superopts
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, x := range fields {
			if x == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(fields) || len(fields) < 5 {
			continue
		}
		if fields[sep+1] == fstype {
			return unescape(fields[4]), nil
		}
	}
	return "", sc.Err()
}

// unescape undoes mountinfo's octal escapes (\040 for space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Ensure returns the mount point of fstype, mounting it at dir when it is
// not mounted anywhere. mounted is true when Ensure mounted it: the caller
// must unmount dir when done (and journal that before calling Ensure, by
// asking Find first).
func Ensure(fstype, dir string) (point string, mounted bool, err error) {
	point, err = Find(fstype)
	if err != nil || point != "" {
		return point, false, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, err
	}
	if err := unix.Mount("nodev", dir, fstype, 0, ""); err != nil {
		if errors.Is(err, unix.ENODEV) {
			return "", false, fmt.Errorf("mount %s on %s: the kernel has no %s filesystem: %w", fstype, dir, fstype, err)
		}
		return "", false, fmt.Errorf("mount %s on %s: %w", fstype, dir, err)
	}
	return dir, true, nil
}
