package ksym

import (
	"errors"
	"os"
	"testing"

	"github.com/cilium/ebpf/btf"
)

func TestText(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("kallsyms names need root")
	}
	got, err := FirstText([]string{"no_such_function_tb", "do_sys_openat2", "do_sys_open"})
	if err != nil || (got != "do_sys_openat2" && got != "do_sys_open") {
		t.Errorf("FirstText = %q, %v", got, err)
	}
	if _, err := FirstText([]string{"no_such_function_tb"}); !errors.Is(err, ErrNoCandidate) {
		t.Errorf("missing symbol: %v", err)
	}
}

func TestBTFFunc(t *testing.T) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	if got, err := FirstBTFFunc(spec, []string{"no_such_function_tb", "__sys_connect"}); err != nil || got != "__sys_connect" {
		t.Errorf("FirstBTFFunc = %q, %v", got, err)
	}
	if _, err := FirstBTFFunc(spec, []string{"no_such_function_tb"}); !errors.Is(err, ErrNoCandidate) {
		t.Errorf("missing function: %v", err)
	}
}
