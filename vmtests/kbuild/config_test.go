package kbuild

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckFragment(t *testing.T) {
	if err := NoBTF().CheckFragment(); err != nil {
		t.Fatalf("checked-in fragment: %v", err)
	}
	for _, c := range []struct{ name, line, want string }{
		{"required off", "# CONFIG_KPROBES is not set", "CONFIG_KPROBES=unset (need y)"},
		{"required =n", "CONFIG_BPF_SYSCALL=n", "CONFIG_BPF_SYSCALL=unset (need y)"},
		{"required as module", "CONFIG_VIRTIO_CONSOLE=m", "CONFIG_VIRTIO_CONSOLE=m (need y)"},
		{"forbidden on", "CONFIG_DEBUG_INFO_BTF=y", "CONFIG_DEBUG_INFO_BTF=y (must be off)"},
	} {
		s := NoBTF()
		s.Fragment = append(append([]byte{}, s.Fragment...), []byte("\n"+c.line+"\n")...)
		err := s.CheckFragment()
		if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "the fragment") {
			t.Errorf("%s: got %v, want ErrBadConfig naming %q", c.name, err, c.want)
		}
	}
}

// TestCheckConfig: a resolved .config must have every required option,
// even one the fragment does not mention (a missing dependency drops it).
func TestCheckConfig(t *testing.T) {
	s := NoBTF()
	var full strings.Builder
	for _, r := range s.Required {
		full.WriteString("CONFIG_" + r + "=y\n")
	}
	full.WriteString("# CONFIG_DEBUG_INFO_BTF is not set\n")
	if err := s.CheckConfig([]byte(full.String())); err != nil {
		t.Fatalf("complete config: %v", err)
	}
	dropped := strings.Replace(full.String(), "CONFIG_CGROUP_BPF=y\n", "", 1)
	if err := s.CheckConfig([]byte(dropped)); !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), "CONFIG_CGROUP_BPF=unset (need y)") {
		t.Errorf("dropped option: got %v", err)
	}
	if err := s.CheckFragment(); err != nil {
		t.Errorf("a fragment need not list every option: %v", err)
	}
}

func TestLookup(t *testing.T) {
	if s, err := Lookup("nobtf"); err != nil || s.Package != "linux-source-6.1" || len(s.Fragment) == 0 {
		t.Errorf("nobtf: %+v, %v", s, err)
	}
	if _, err := Lookup("huge"); !errors.Is(err, ErrUnknownBuild) {
		t.Errorf("unknown build: %v", err)
	}
}

// TestKey: the cache key changes with every input a build depends on.
func TestKey(t *testing.T) {
	base := Inputs{Spec: NoBTF(), SourceVersion: "6.1.158-1", CC: "gcc (Debian 12.2.0-14) 12.2.0", Pahole: "1.24", Arch: "amd64"}
	if base.Key() != base.Key() || len(base.Key()) != 16 {
		t.Fatalf("key %q not stable", base.Key())
	}
	change := map[string]func(*Inputs){
		"fragment": func(in *Inputs) {
			in.Spec.Fragment = append(append([]byte{}, in.Spec.Fragment...), "CONFIG_NUMA=y\n"...)
		},
		"source":   func(in *Inputs) { in.SourceVersion = "6.1.159-1" },
		"compiler": func(in *Inputs) { in.CC = "gcc (Debian 12.2.0-15) 12.2.0" },
		"pahole":   func(in *Inputs) { in.Pahole = "1.25" },
	}
	for name, f := range change {
		in := base
		f(&in)
		if in.Key() == base.Key() || in.Dir("/c") == base.Dir("/c") {
			t.Errorf("changed %s: same key %s", name, in.Key())
		}
	}
}
