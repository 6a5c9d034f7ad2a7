package reports

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/results"
)

func readRun(t *testing.T, fixture string) *results.Run {
	t.Helper()
	r, err := results.ReadDir(testutil.Fixture(t, fixture))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The summary of the real host run, sentence by sentence: it ranks only
// resolved effects, states the difference to the runner-up with its
// interval, and says so where nothing could be resolved.
func TestSummaryHost(t *testing.T) {
	got := Summary(readRun(t, "host"))
	want := []Finding{
		{Topic: "cost", Text: "On host (Linux 6.18.44-fc-v657, amd64), per traced event:", Items: []string{
			"getppid: ebpf/rawtp count is cheapest, +106ns per event [+105ns, +106ns]; the next, ebpf/tracepoint count, costs +52.9ns [+35.6ns, +70.1ns] more",
			"openat: ebpf/rawtp count is cheapest, +210ns per event [+200ns, +220ns]; the next, ebpf/tracepoint count, costs +128ns [+113ns, +144ns] more",
			"exec: no backend's cost could be resolved (4 measured)",
			"connect: ebpf/tracepoint count is cheapest, +1245ns per event [+426ns, +2063ns], but not significantly cheaper than ebpf/rawtp stream (+1930ns per event [+1125ns, +2736ns]); 1 more unresolved, not ranked",
		}},
		{Topic: "collateral", Text: "On host (Linux 6.18.44-fc-v657, amd64), the largest collateral cost (time added to each untraced getuid()) is ebpf/rawtp stream's: +164ns per call [+29.0ns, +299ns] while it traces getppid."},
		{Topic: "support", Text: "ebpf/kprobe:", Items: []string{
			"unsupported on host (missing-config: the kernel has no kprobes (CONFIG_KPROBES / CONFIG_KPROBE_EVENTS unset): no perf kprobe PMU and no kprobe_eve…)"}},
		{Topic: "support", Text: "ebpf/fentry:", Items: []string{
			"unsupported on host (permission: load ebpf/fentry: program fentry_*: load program: operation not permitted (MEMLOCK may be too low, consider r…)"}},
		{Topic: "coverage", Text: "16 cells saw exactly the events their workload produced."},
		{Topic: "resolution", Text: "5 of 16 overhead effects could not be resolved (not significant, interval spanning zero, or below the noise floor) and are shown as unresolved, not as numbers: exec 4, connect 1."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summary:\n%s\nwant:\n%s", findings(got), findings(want))
	}
}

func findings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("[" + f.Topic + "] " + f.String() + "\n")
	}
	return b.String()
}

// With emulated targets the summary says so first, compares ratios there,
// and lists every coverage problem.
func TestSummaryMatrix(t *testing.T) {
	got := Summary(readRun(t, "matrix"))
	if got[0].Topic != "emulation" || !strings.Contains(got[0].Text, "debian:5.10/amd64, debian:6.1/arm64") {
		t.Errorf("first finding %+v, want the emulation warning naming both guests", got[0])
	}
	text := findings(got)
	for _, want := range []string{
		"[cost] On debian:6.1/arm64 (Linux 6.1.0-40-arm64, arm64, emulated), per traced event: getppid: ebpf/rawtp count is cheapest, a slowdown of ×1.910 [1.903, 1.916]; the next, ebpf/tracepoint count, runs it ×1.155 [1.093, 1.221] slower still;",
		"[coverage] ebpf/tracepoint stream on debian:5.10/amd64 lost 33958 of 2.00M getppid events (1.7%), counted by the backend.\n",
		"[coverage] ebpf/kprobe stream on debian:5.10/amd64: 37 of 4141 exec events seen carried wrong values",
		"[coverage] ebpf/tracepoint count on debian:6.1/arm64 missed 3 of 12900 connect events without counting them (unexplained).\n",
		"[coverage] ebpf/rawtp stream on debian:6.1/arm64 lost 7989 of 2.00M getppid events (0.4%), counted by the backend.\n",
		"[coverage] 65 cells saw exactly the events their workload produced.\n",
		"runs 5 of 8 cells on debian:6.1/arm64 (unsupported missing-symbol on count/exec, stream/exec: no kernel function from",
		"; failed on stream/connect: call counters:",
		"[resolution] 19 of 68 overhead effects",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "[cost] "); n != 3 {
		t.Errorf("%d cost findings, want one per target", n)
	}
}

// A backend measured alone for an event is not called the cheapest.
func TestSummaryLoneBackend(t *testing.T) {
	r := readRun(t, "host")
	r.Cells = slices.DeleteFunc(r.Cells, func(c results.Cell) bool {
		return c.Event != event.Getppid || c.Backend != "ebpf/rawtp" || c.Mode != "count"
	})
	got := Summary(r)
	want := "getppid: ebpf/rawtp count, the only backend measured, +106ns per event [+105ns, +106ns]"
	if got[0].Topic != "cost" || !reflect.DeepEqual(got[0].Items, []string{want}) {
		t.Errorf("first finding %s, want the cost item %q", findings(got[:1]), want)
	}
}
