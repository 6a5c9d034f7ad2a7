package kstate

import (
	"os"
	"path/filepath"
	"testing"
)

// Read must never panic on a damaged journal, and every change it returns
// as pending has an id and a kind.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"op":"change","change":{"id":1,"owner":"x","kind":"dir","path":"/tmp/a"}}` + "\n" + `{"op":"undone","id":1}` + "\n"))
	f.Add([]byte(`{"op":"change","change":{"id":1,"kind":"file","path":"/x","restore":"0"}}` + "\n" + `{"op":"chan`))
	f.Add([]byte("\n\n{}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), JournalFile)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		pending, err := Read(p)
		if err != nil {
			return
		}
		for _, c := range pending {
			if c.ID <= 0 || c.Kind == "" {
				t.Fatalf("pending change without id or kind: %+v", c)
			}
		}
	})
}
