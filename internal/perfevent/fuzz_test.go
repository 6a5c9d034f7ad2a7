package perfevent

import (
	"reflect"
	"testing"
)

// FuzzParse feeds arbitrary records and layouts to the parser. It must
// never panic nor allocate beyond the record, and every record it decodes
// must encode back, per the ABI, to a record of the same size that decodes
// to the same values (bytes may differ only in the reserved u32 after cpu).
// The committed corpus in testdata/fuzz/FuzzParse holds one record of each
// kind (samples with and without hw_idx, LOST, LOST_SAMPLES, THROTTLE,
// UNTHROTTLE, an unknown type).
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, sampleType, branches uint64, sampleIDAll bool, raw []byte) {
		l := Layout{SampleType: SampleType(sampleType) & supportedSampleTypes, Branches: BranchFilter(branches), SampleIDAll: sampleIDAll}
		rec, err := l.Parse(raw)
		if err != nil {
			return
		}
		if _, ok := rec.(*Other); ok {
			return
		}
		again := encode(l, rec)
		if len(again) != len(raw) {
			t.Fatalf("layout %+v: %x parses to %+v, which encodes to %x", l, raw, rec, again)
		}
		if rec2, err := l.Parse(again); err != nil || !reflect.DeepEqual(rec2, rec) {
			t.Fatalf("layout %+v: %x parses to %+v, re-encoded as %x parses to %+v, %v", l, raw, rec, again, rec2, err)
		}
	})
}
