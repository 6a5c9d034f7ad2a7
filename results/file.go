package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File is the name of the results file in a run directory.
const File = "results.json"

// WriteFileAtomic replaces path with data so that a crash at any moment
// leaves either the old file or the new one, never a torn file: write a
// temporary file in the same directory, sync it, rename it over path, sync
// the directory.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Write writes r as dir/results.json, atomically.
func Write(dir string, r *Run) error {
	r.SchemaVersion = SchemaVersion
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, File), append(b, '\n'))
}

// ReadDir reads dir/results.json.
func ReadDir(dir string) (*Run, error) { return Read(filepath.Join(dir, File)) }

// Read reads and validates a results file. Errors name the file and, for
// malformed content, the line and column or the field at fault.
func Read(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// ErrVersion is returned for a results file of another schema version.
var ErrVersion = errors.New("unsupported results schema version")

// Decode parses and validates the content of a results file.
func Decode(b []byte) (*Run, error) {
	var r Run
	if err := decodeStrict(b, &r, "results file", SchemaVersion); err != nil {
		return nil, err
	}
	return &r, nil
}

// validator is a decoded file that checks its own consistency.
type validator interface{ Validate() error }

// decodeStrict decodes b into v after checking that it is a file of kind
// at schema version want, refusing unknown fields (a typo, or a file of a
// newer tracebench), then validates v.
func decodeStrict(b []byte, v validator, kind string, want int) error {
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return describeJSONError(b, err)
	}
	switch {
	case probe.SchemaVersion == nil:
		return fmt.Errorf("no schema_version field: not a tracebench %s", kind)
	case *probe.SchemaVersion != want:
		return fmt.Errorf("%w: file has schema_version %d, this tracebench reads %d", ErrVersion, *probe.SchemaVersion, want)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(b, err)
	}
	return v.Validate()
}

// describeJSONError turns a decoding error into one that says where. A
// syntax error at the very end of the input means the file was cut short.
func describeJSONError(b []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &syn) && syn.Offset >= int64(len(bytes.TrimRight(b, " \t\r\n"))):
		return fmt.Errorf("truncated: the file ends in the middle of the JSON document (%d bytes)", len(b))
	case errors.As(err, &syn):
		l, c := lineCol(b, syn.Offset)
		return fmt.Errorf("line %d, column %d: %v", l, c, err)
	case errors.As(err, &typ):
		l, c := lineCol(b, typ.Offset)
		return fmt.Errorf("line %d, column %d: field %q: %v", l, c, typ.Field, err)
	}
	return err
}

func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(b[:off], '\n')
	return line, col
}

// Validate checks the fields a reader relies on.
func (r *Run) Validate() error {
	if r.RunID == "" {
		return fmt.Errorf("run_id is empty")
	}
	targets := map[string]bool{}
	for i, t := range r.Targets {
		if t.Name == "" {
			return fmt.Errorf("targets[%d].name is empty", i)
		}
		if targets[t.Name] {
			return fmt.Errorf("targets[%d]: target %q listed twice", i, t.Name)
		}
		targets[t.Name] = true
	}
	seen := map[Key]int{}
	for i, c := range r.Cells {
		if err := c.validate(targets); err != nil {
			return fmt.Errorf("cells[%d] (%s %s %s %s): %w", i, c.Target, c.Backend, c.Mode, c.Event, err)
		}
		if j, dup := seen[c.Key()]; dup {
			return fmt.Errorf("cells[%d] repeats cells[%d] (%s %s %s %s)", i, j, c.Target, c.Backend, c.Mode, c.Event)
		}
		seen[c.Key()] = i
	}
	if r.Config.Plan != nil {
		return r.Config.Plan.validate(r.Cells)
	}
	return nil
}

func (c Cell) validate(targets map[string]bool) error {
	switch {
	case !targets[c.Target]:
		return fmt.Errorf("target %q is not in targets", c.Target)
	case c.Backend == "":
		return fmt.Errorf("backend is empty")
	case c.Mode == "":
		return fmt.Errorf("mode is empty")
	case !c.Event.Valid():
		return fmt.Errorf("event is missing")
	}
	switch c.Status {
	case OK:
	case Unsupported, Failed:
		if c.Reason == nil || c.Reason.Class == "" {
			return fmt.Errorf("status %q without a reason", c.Status)
		}
	default:
		return fmt.Errorf("status %q: want ok, unsupported or failed", c.Status)
	}
	return nil
}
