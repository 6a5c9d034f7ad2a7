package vmtests

import (
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	m := DefaultMatrix()
	got, err := m.Select([]string{"guests", " host", "debian:6.1/amd64", "host"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range got {
		names = append(names, tg.Name)
	}
	if len(got) != len(m.Targets) || names[len(names)-1] != "host" {
		t.Errorf("selected %v: want every guest once, then the host", names)
	}
	for _, tg := range got[:len(got)-1] {
		if tg.Host() {
			t.Errorf("guests selected the host: %v", names)
		}
	}
	if _, err := m.Select([]string{"host", "debian:2.6/amd64"}); err == nil || !strings.Contains(err.Error(), "debian:2.6/amd64") {
		t.Errorf("unknown target: error %v does not name it", err)
	}
}
