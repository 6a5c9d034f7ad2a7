package vmtests

import (
	"slices"
	"strings"
)

// Select resolves target names in m, in order and without repeats: "all"
// is the host and every guest, "guests" every guest, anything else a
// target's name (an unknown name is an error naming it).
func (m *Matrix) Select(names []string) ([]Target, error) {
	var expanded []string
	for _, n := range names {
		switch n = strings.TrimSpace(n); n {
		case "all", "guests":
			for _, t := range m.Targets {
				if n == "all" || !t.Host() {
					expanded = append(expanded, t.Name)
				}
			}
		default:
			expanded = append(expanded, n)
		}
	}
	var out []Target
	for _, n := range expanded {
		t, err := m.Lookup(n)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(x Target) bool { return x.Name == t.Name }) {
			out = append(out, t)
		}
	}
	return out, nil
}
