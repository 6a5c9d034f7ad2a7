package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

// What a JUnit consumer reads back.
type parsedSuites struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Hostname string `xml:"hostname,attr"`
		Props    []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string   `xml:"name,attr"`
			Classname string   `xml:"classname,attr"`
			Time      string   `xml:"time,attr"`
			Skipped   *problem `xml:"skipped"`
			Failure   *problem `xml:"failure"`
			Error     *problem `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

type problem struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
	Detail  string `xml:",chardata"`
}

func TestJUnit(t *testing.T) {
	cell := func(target, backend string, ev event.Event, st results.Status, cov *results.Coverage, reason *results.Reason) results.Cell {
		return results.Cell{Target: target, Backend: backend, Mode: "count", Event: ev, Status: st, Coverage: cov, Reason: reason,
			Started: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), ElapsedNs: 1500 * int64(time.Millisecond)}
	}
	r := &results.Run{
		RunID: "20261125-120000",
		Targets: []results.Target{
			{Name: "host", Host: results.Host{KernelRelease: "6.18.0", Arch: "amd64"}, Machines: []string{"runner-a", "runner-b"}},
			{Name: "debian:6.1/arm64", Host: results.Host{Machine: "runner-a", KernelRelease: "6.1.0-56-arm64", Arch: "arm64", Emulated: true}},
		},
		Cells: []results.Cell{
			cell("host", "ebpf/tracepoint", event.Getppid, results.OK, &results.Coverage{Produced: 100, Seen: 100}, nil),
			cell("host", "ebpf/tracepoint", event.Openat, results.OK, &results.Coverage{Produced: 100, Seen: 90, Lost: 10}, nil),
			cell("host", "ebpf/kprobe", event.Getppid, results.Unsupported, nil, &results.Reason{Class: "missing-config", Detail: "no kprobes"}),
			cell("debian:6.1/arm64", "ebpf/tracepoint", event.Getppid, results.Failed, nil, &results.Reason{Class: "failed", Detail: "attach: EBUSY\nsecond line"}),
		},
	}
	planned := func(target, backend string, ev event.Event, shard int) results.PlanCell {
		return results.PlanCell{Target: target, Backend: backend, Mode: "count", Event: ev, Shard: shard}
	}
	r.Config.Plan = &results.Plan{ID: "p1", Shards: 2, Merged: []int{1}, Cells: []results.PlanCell{
		planned("host", "ebpf/tracepoint", event.Getppid, 1), planned("host", "ebpf/tracepoint", event.Openat, 1),
		planned("host", "ebpf/kprobe", event.Getppid, 1), planned("debian:6.1/arm64", "ebpf/tracepoint", event.Getppid, 1),
		planned("debian:6.1/arm64", "ebpf/tracepoint", event.Openat, 2),
	}}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	t.Log(buf.String())
	var got parsedSuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("the JUnit file does not parse: %v", err)
	}
	if got.Tests != 5 || got.Failures != 2 || got.Errors != 1 || got.Skipped != 1 {
		t.Errorf("totals: %d tests, %d failures, %d errors, %d skipped; want 5, 2, 1, 1", got.Tests, got.Failures, got.Errors, got.Skipped)
	}
	if len(got.Suites) != 2 {
		t.Fatalf("%d suites, want one per target", len(got.Suites))
	}
	host, guest := got.Suites[0], got.Suites[1]
	if host.Name != "host" || host.Tests != 3 || host.Failures != 1 || host.Skipped != 1 || host.Errors != 0 || host.Hostname != "runner-a,runner-b" {
		t.Errorf("host suite %+v", host)
	}
	if guest.Name != "debian:6.1/arm64" || guest.Tests != 2 || guest.Failures != 1 || guest.Errors != 1 {
		t.Errorf("guest suite %+v", guest)
	}
	c := host.Cases
	if c[0].Name != "ebpf/tracepoint count getppid" || c[0].Classname != "host" || c[0].Time != "1.500" || c[0].Failure != nil || c[0].Skipped != nil {
		t.Errorf("exact cell: %+v", c[0])
	}
	if c[1].Failure == nil || c[1].Failure.Type != "coverage" || !strings.Contains(c[1].Failure.Message, "lost 10") {
		t.Errorf("inexact coverage: %+v", c[1])
	}
	if c[2].Skipped == nil || c[2].Skipped.Message != "missing-config: no kprobes" {
		t.Errorf("unsupported: %+v", c[2])
	}
	g := guest.Cases
	if g[0].Failure == nil || g[0].Failure.Type != "failed" || g[0].Failure.Message != "attach: EBUSY" || g[0].Failure.Detail != "attach: EBUSY\nsecond line" {
		t.Errorf("failed: %+v", g[0])
	}
	if g[1].Error == nil || g[1].Error.Type != "missing" || !strings.Contains(g[1].Error.Message, "shard 2/2") {
		t.Errorf("missing: %+v", g[1])
	}
}
