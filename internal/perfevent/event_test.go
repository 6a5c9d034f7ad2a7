package perfevent

import "testing"

func TestEventByName(t *testing.T) {
	for _, ev := range Generic {
		if got, ok := EventByName(ev.Name); !ok || got != ev {
			t.Errorf("EventByName(%q) = %v, %v", ev.Name, got, ok)
		}
	}
	if _, ok := EventByName("syscalls:sys_enter_getppid"); ok {
		t.Error("a tracepoint found among the generic events")
	}
}
