package backends

import (
	"time"

	"golang.org/x/sys/unix"
)

// SelfUsage returns the calling process's own resource use, for Usage
// implementations (a plugin process measures itself).
func SelfUsage() (Usage, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return Usage{}, err
	}
	return Usage{
		User:     time.Duration(ru.Utime.Nano()),
		System:   time.Duration(ru.Stime.Nano()),
		MaxRSSKB: ru.Maxrss,
	}, nil
}
