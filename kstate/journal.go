package kstate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// JournalFile is the journal's name inside a run directory.
const JournalFile = "journal.jsonl"

// entry is one line of a journal: a change about to be made, or the fact
// that change ID was undone.
type entry struct {
	Op     string  `json:"op"` // "change" or "undone"
	Change *Change `json:"change,omitempty"`
	ID     int     `json:"id,omitempty"`
}

// Journal is an append-only record of kernel changes, written and synced to
// disk before each change is made, so that a crash at any point leaves a
// file from which the changes can be undone.
type Journal struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	next    int
	pending []Change // in the order made
}

// Create opens a new journal in dir (a run directory) and registers it as
// active, so that the next tracebench start finds it if this process dies.
// An existing journal in dir is replayed (undone) first: it belongs to an
// interrupted run of the same directory.
func Create(dir string) (*Journal, error) {
	path := filepath.Join(dir, JournalFile)
	if _, err := os.Stat(path); err == nil {
		if errs := Replay(path); len(errs) > 0 {
			return nil, fmt.Errorf("replay previous journal %s: %w", path, errors.Join(errs...))
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	if err := register(path); err != nil {
		f.Close()
		return nil, err
	}
	return &Journal{path: path, f: f, next: 1}, nil
}

// Path returns the journal file's path.
func (j *Journal) Path() string { return j.path }

// Record writes c to the journal and syncs it. Call it before making the
// change. It returns the change with its ID set.
func (j *Journal) Record(c Change) (Change, error) {
	if !Known(c.Kind) {
		return c, fmt.Errorf("journal: refusing change %s: this binary cannot undo kind %q", c, c.Kind)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	c.ID = j.next
	j.next++
	if err := j.write(entry{Op: "change", Change: &c}); err != nil {
		return c, err
	}
	j.pending = append(j.pending, c)
	return c, nil
}

// Forget marks change id as undone by its owner (e.g. a backend's own clean
// teardown), without undoing it again.
func (j *Journal) Forget(id int) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.forget(id)
}

func (j *Journal) forget(id int) error {
	for i, c := range j.pending {
		if c.ID == id {
			j.pending = append(j.pending[:i], j.pending[i+1:]...)
			return j.write(entry{Op: "undone", ID: id})
		}
	}
	return nil
}

// UndoOwner undoes, newest first, every pending change made by owner.
func (j *Journal) UndoOwner(owner string) error {
	return j.undo(func(c Change) bool { return c.Owner == owner })
}

// UndoAll undoes every pending change, newest first.
func (j *Journal) UndoAll() error {
	return j.undo(func(Change) bool { return true })
}

func (j *Journal) undo(match func(Change) bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var errs []error
	for i := len(j.pending) - 1; i >= 0; i-- {
		c := j.pending[i]
		if !match(c) {
			continue
		}
		if err := Undo(c); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := j.forget(c.ID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Pending returns the changes not yet undone, oldest first.
func (j *Journal) Pending() []Change {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Change(nil), j.pending...)
}

// Close undoes whatever is still pending, closes the file and unregisters
// the journal. The file stays in the run directory as a record.
func (j *Journal) Close() error {
	err := j.UndoAll()
	j.mu.Lock()
	defer j.mu.Unlock()
	if cerr := j.f.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if len(j.pending) == 0 {
		unregister(j.path)
	}
	return err
}

func (j *Journal) write(e entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync journal %s: %w", j.path, err)
	}
	return nil
}

// Read returns the changes of the journal at path that were not undone,
// oldest first. A torn last line (a crash mid-write) is ignored: the change
// it describes was not made yet, since changes are made only after Record
// returns.
func Read(path string) ([]Change, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pending []Change
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		var e entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			if !lastLine(sc) {
				return nil, fmt.Errorf("%s:%d: %w", path, line, err)
			}
			break
		}
		switch {
		case e.Op == "change" && e.Change != nil:
			if e.Change.ID <= 0 || e.Change.Kind == "" {
				return nil, fmt.Errorf("%s:%d: change without id or kind", path, line)
			}
			pending = append(pending, *e.Change)
		case e.Op == "undone":
			for i, c := range pending {
				if c.ID == e.ID {
					pending = append(pending[:i], pending[i+1:]...)
					break
				}
			}
		default:
			return nil, fmt.Errorf("%s:%d: unknown journal entry %q", path, line, e.Op)
		}
	}
	return pending, sc.Err()
}

func lastLine(sc *bufio.Scanner) bool { return !sc.Scan() }

// Replay undoes, newest first, every pending change of the journal at path
// and appends "undone" entries for them. It returns the errors of the
// changes it could not undo; those stay pending.
func Replay(path string) []error {
	pending, err := Read(path)
	if err != nil {
		return []error{err}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return []error{err}
	}
	j := &Journal{path: path, f: f, pending: pending}
	defer f.Close()
	if err := j.UndoAll(); err != nil {
		return []error{err}
	}
	unregister(path)
	return nil
}
