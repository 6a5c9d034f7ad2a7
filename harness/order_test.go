package harness

import (
	"slices"
	"testing"
)

// Backends that enable audit run after every other, each group in the
// order asked; the traits come from the backends' own descriptions.
func TestOrderBackends(t *testing.T) {
	h := &harness{cfg: Config{Backends: []string{"audit/netlink", "ebpf/tracepoint", "audit/auditd", "ftrace/event"}}}
	got := h.orderBackends()
	want := []string{"ebpf/tracepoint", "ftrace/event", "audit/netlink", "audit/auditd"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
