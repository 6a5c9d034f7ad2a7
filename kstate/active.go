package kstate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ActiveDir holds one small file per journal in use. It lives on /run, a
// tmpfs: after a reboot the kernel state is gone and so are the entries.
// A variable so tests can point it elsewhere.
var ActiveDir = "/run/tracebench/journals"

// activeEntry names a journal and the process that writes it.
type activeEntry struct {
	Journal   string `json:"journal"`
	PID       int    `json:"pid"`
	StartTime uint64 `json:"start_time"`
}

func activeName(journal string) string {
	sum := sha256.Sum256([]byte(journal))
	return filepath.Join(ActiveDir, hex.EncodeToString(sum[:8])+".json")
}

func register(journal string) error {
	abs, err := filepath.Abs(journal)
	if err != nil {
		return err
	}
	st, err := ProcessStartTime(os.Getpid())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(ActiveDir, 0o755); err != nil {
		return fmt.Errorf("register journal: %w", err)
	}
	b, _ := json.Marshal(activeEntry{Journal: abs, PID: os.Getpid(), StartTime: st})
	return os.WriteFile(activeName(abs), b, 0o644)
}

func unregister(journal string) {
	if abs, err := filepath.Abs(journal); err == nil {
		os.Remove(activeName(abs))
	}
}

// Orphan is a journal whose writer died with changes still pending.
type Orphan struct {
	Journal string
	PID     int
	Pending []Change
}

// Orphans lists the registered journals whose writing process is gone and
// which still hold pending changes. Journals of live processes are left
// alone: another tracebench may be running.
func Orphans() ([]Orphan, error) {
	ents, err := os.ReadDir(ActiveDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Orphan
	for _, e := range ents {
		p := filepath.Join(ActiveDir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var a activeEntry
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if st, err := ProcessStartTime(a.PID); err == nil && st == a.StartTime {
			continue // still running
		}
		pending, err := Read(a.Journal)
		if errors.Is(err, os.ErrNotExist) {
			os.Remove(p) // the run directory was deleted: nothing to replay from
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(pending) == 0 {
			os.Remove(p)
			continue
		}
		out = append(out, Orphan{Journal: a.Journal, PID: a.PID, Pending: pending})
	}
	return out, nil
}

// RecoverOrphans replays every orphaned journal. It is called at each start
// of a command that changes kernel state, and by `tracebench doctor`.
func RecoverOrphans() ([]Orphan, error) {
	orphans, err := Orphans()
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, o := range orphans {
		errs = append(errs, Replay(o.Journal)...)
	}
	return orphans, errors.Join(errs...)
}
