package analysis

import (
	"slices"
	"strings"

	"github.com/tracebench/tracebench/results"
)

// Support is whether one backend runs on one target, over all its cells
// (modes × events): the cell of the portability matrix.
type Support struct {
	Target, Backend string
	// OK of Total cells ran.
	OK, Total int
	// Reasons groups the cells that did not run by status and reason.
	Reasons []ReasonGroup
}

// Level is a Support's colour in the matrix.
type Level string

const (
	Runs        Level = "ok"          // every cell ran
	Partial     Level = "partial"     // some cells ran
	Unsupported Level = "unsupported" // none ran: the kernel cannot
	Broken      Level = "failed"      // none ran and something broke
)

// Level sums the support up.
func (s Support) Level() Level {
	switch {
	case s.OK == s.Total:
		return Runs
	case s.OK > 0:
		return Partial
	}
	for _, g := range s.Reasons {
		if g.Status == results.Failed {
			return Broken
		}
	}
	return Unsupported
}

// ReasonGroup is one reason shared by several cells of a Support. Detail
// has the event's name replaced by "*" so that the same error on every
// event ("program fentry_getppid: …", "program fentry_openat: …") is one
// group.
type ReasonGroup struct {
	Status results.Status
	Class  string
	Detail string
	// Cells are the cells it holds for, as "mode/event".
	Cells []string
}

// Portability returns the matrix of targets × backends, targets in run
// order and backends in their order of first appearance.
func Portability(r *results.Run) [][]Support {
	backends := Backends(r)
	out := make([][]Support, len(r.Targets))
	for i, t := range r.Targets {
		out[i] = make([]Support, len(backends))
		for j, b := range backends {
			out[i][j] = support(r, t.Name, b)
		}
	}
	return out
}

func support(r *results.Run, target, backend string) Support {
	s := Support{Target: target, Backend: backend}
	for _, c := range r.Cells {
		if c.Target != target || c.Backend != backend {
			continue
		}
		s.Total++
		if c.Status == results.OK {
			s.OK++
			continue
		}
		g := ReasonGroup{Status: c.Status, Class: c.Reason.Class, Detail: wildcard(c.Reason.Detail, c.Event.String())}
		i := slices.IndexFunc(s.Reasons, func(x ReasonGroup) bool {
			return x.Status == g.Status && x.Class == g.Class && x.Detail == g.Detail
		})
		if i < 0 {
			s.Reasons = append(s.Reasons, g)
			i = len(s.Reasons) - 1
		}
		s.Reasons[i].Cells = append(s.Reasons[i].Cells, c.Mode+"/"+c.Event.String())
	}
	return s
}

// wildcard replaces word in s by "*" where it stands as a word of its own
// (between characters that are not letters or digits), so "fentry_exec:"
// becomes "fentry_*:" while "execve" stays.
func wildcard(s, word string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, word)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(word)
		if (i > 0 && isAlnum(s[i-1])) || (j < len(s) && isAlnum(s[j])) {
			b.WriteString(s[:j])
		} else {
			b.WriteString(s[:i] + "*")
		}
		s = s[j:]
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Backends lists the run's backends in order of first appearance.
func Backends(r *results.Run) []string {
	var out []string
	for _, c := range r.Cells {
		if !slices.Contains(out, c.Backend) {
			out = append(out, c.Backend)
		}
	}
	return out
}

// Series is one line of a chart: a backend in one delivery mode.
type Series struct{ Backend, Mode string }

func (s Series) String() string { return s.Backend + " " + s.Mode }

// AllSeries lists the run's (backend, mode) pairs in order of first
// appearance, whatever their status, so that every chart places them alike.
func AllSeries(r *results.Run) []Series {
	var out []Series
	for _, c := range r.Cells {
		if s := (Series{c.Backend, c.Mode}); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
