package tracefs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"
)

// FuzzDecodePage feeds the decoder arbitrary pages, seeded with every real
// page in the fixtures (and the committed corpus in testdata/fuzz). The
// decoder must not panic, must fail only with ClassBadInput, must hand out
// records that lie inside the page's committed data, and must decode the
// same bytes the same way twice.
//
//	go test -fuzz FuzzDecodePage ./internal/tracefs
func FuzzDecodePage(f *testing.F) {
	l := fixtureLayout(f)
	pages, err := filepath.Glob(filepath.Join(fixtures, "pages", "*", "*.bin"))
	if err != nil || len(pages) == 0 {
		f.Fatalf("no fixture pages: %v", err)
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		var recs []Record
		info, err := l.DecodePage(page, func(r Record) { recs = append(recs, r) })
		if err != nil && !errors.Is(err, ClassBadInput) {
			t.Fatalf("error of class %s: %v", ClassOf(err), err)
		}
		if info.Records != len(recs) {
			t.Fatalf("info says %d records, %d decoded", info.Records, len(recs))
		}
		start := uintptr(unsafe.Pointer(unsafe.SliceData(page)))
		dataEnd := start + uintptr(l.DataOffset+info.Length)
		for _, r := range recs {
			p := uintptr(unsafe.Pointer(unsafe.SliceData(r.Data)))
			if p < start+uintptr(l.DataOffset) || p+uintptr(len(r.Data)) > dataEnd {
				t.Fatalf("record of %d bytes at page offset %d outside the data (%d+%d)", len(r.Data), p-start, l.DataOffset, info.Length)
			}
		}
		var again []Record
		info2, err2 := l.DecodePage(page, func(r Record) { again = append(again, r) })
		if info2 != info || (err == nil) != (err2 == nil) || !slices.EqualFunc(recs, again, recordEqual) {
			t.Fatal("decoding is not deterministic")
		}
	})
}
