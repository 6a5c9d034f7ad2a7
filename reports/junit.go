package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tracebench/tracebench/results"
)

// JUnit writes a run as JUnit XML, the portability suite in the form CI
// systems show natively: one test suite per target, one test case per
// cell (target × backend × mode × event). A cell passes when it loaded,
// attached and saw every event exactly (as in PortabilityTable); an
// unsupported cell is skipped with its classified reason; a failed cell,
// or one whose coverage is not exact, is a failure with the reason; a
// planned cell that no shard reported (results.Missing) is an error.
func JUnit(w io.Writer, r *results.Run) error {
	doc := junitSuites{Name: "tracebench portability " + r.RunID}
	byTarget := map[string]*junitSuite{}
	suite := func(name string) *junitSuite {
		if s, ok := byTarget[name]; ok {
			return s
		}
		s := &junitSuite{Name: name}
		byTarget[name] = s
		doc.suites = append(doc.suites, s)
		return s
	}
	for _, t := range r.Targets {
		s := suite(t.Name)
		s.Hostname = strings.Join(machines(t), ",")
		s.Properties = targetProperties(t)
	}
	for _, c := range r.Cells {
		s := suite(c.Target)
		s.add(cellCase(c), time.Duration(c.ElapsedNs))
		if s.Timestamp == "" || c.Started.Format(junitTime) < s.Timestamp {
			s.Timestamp = c.Started.Format(junitTime)
		}
	}
	for _, m := range results.Missing(r) {
		suite(m.Target).add(junitCase{
			Name: caseName(m.Key()), Classname: m.Target,
			Error: &junitProblem{Type: "missing", Message: fmt.Sprintf("not measured: shard %s of plan %s reported no result for this cell", results.ShardName(m.Shard, r.Config.Plan.Shards), r.Config.Plan.ID)},
		}, 0)
	}
	for _, s := range doc.suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		doc.seconds += s.seconds
		s.Time = seconds(s.seconds)
		doc.Suites = append(doc.Suites, *s)
	}
	doc.Time = seconds(doc.seconds)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitTime is the timestamp form of the JUnit schema (xs:dateTime, UTC).
const junitTime = "2006-01-02T15:04:05"

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
	suites   []*junitSuite
	seconds  time.Duration
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Hostname   string          `xml:"hostname,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	seconds    time.Duration
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitProblem `xml:"skipped"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Type    string `xml:"type,attr,omitempty"`
	Message string `xml:"message,attr"`
	Detail  string `xml:",chardata"`
}

func (s *junitSuite) add(c junitCase, elapsed time.Duration) {
	c.Time = seconds(elapsed)
	s.Cases = append(s.Cases, c)
	s.Tests++
	s.seconds += elapsed
	switch {
	case c.Error != nil:
		s.Errors++
	case c.Failure != nil:
		s.Failures++
	case c.Skipped != nil:
		s.Skipped++
	}
}

func cellCase(c results.Cell) junitCase {
	jc := junitCase{Name: caseName(c.Key()), Classname: c.Target}
	var out []string
	if c.ProbePoint != "" {
		out = append(out, "probe point: "+c.ProbePoint)
	}
	if c.Coverage != nil {
		out = append(out, "coverage: "+Coverage(c.Coverage))
	}
	if c.Machine != "" {
		out = append(out, "machine: "+c.Machine)
	}
	jc.SystemOut = strings.Join(out, "\n")
	switch {
	case c.Status == results.Unsupported:
		jc.Skipped = &junitProblem{Message: c.Reason.Class + ": " + c.Reason.Detail}
	case c.Status == results.Failed:
		jc.Failure = &junitProblem{Type: c.Reason.Class, Message: firstLine(c.Reason.Detail), Detail: c.Reason.Detail}
	case !exact(c.Coverage):
		jc.Failure = &junitProblem{Type: "coverage", Message: "coverage not exact: " + coverageDetail(c.Coverage)}
	}
	return jc
}

func caseName(k results.Key) string { return fmt.Sprintf("%s %s %s", k.Backend, k.Mode, k.Event) }

func coverageDetail(c *results.Coverage) string {
	if c == nil {
		return "no coverage measured"
	}
	return fmt.Sprintf("produced %d, seen %d, lost %d, unexplained %d, invalid %d", c.Produced, c.Seen, c.Lost, c.Unexplained, c.Invalid)
}

func targetProperties(t results.Target) []junitProperty {
	h := t.Host
	return []junitProperty{
		{"kernel_release", h.KernelRelease},
		{"arch", h.Arch},
		{"cpu_model", h.CPUModel},
		{"btf", fmt.Sprint(h.BTF)},
		{"emulated", fmt.Sprint(h.Emulated)},
		{"machines", strings.Join(machines(t), ",")},
	}
}

// machines lists the machines that measured a target.
func machines(t results.Target) []string {
	if t.Host.Machine != "" {
		return append(slices.Clone(t.Machines), t.Host.Machine)
	}
	return t.Machines
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
