package results

import (
	"encoding/json"
	"testing"
)

// Decode must never panic, and what it accepts must validate and encode
// again.
func FuzzDecode(f *testing.F) {
	good, _ := json.Marshal(func() *Run { r := sampleRun(); r.SchemaVersion = SchemaVersion; return r }())
	f.Add(good)
	f.Add([]byte(`{"schema_version": 1, "run_id": "x", "targets": [], "cells": []}`))
	f.Add([]byte(`{"schema_version": 2}`))
	f.Add(good[:len(good)/3])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("decoded run does not validate: %v", err)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("decoded run does not encode: %v", err)
		}
	})
}
