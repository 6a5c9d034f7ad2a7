package auditnl

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

var tracedSyscalls = []string{"getppid", "openat", "execve", "execveat", "connect"}

// TestRuleWireLayout checks the byte offsets of struct audit_rule_data
// against include/uapi/linux/audit.h for a rule whose every part is known.
func TestRuleWireLayout(t *testing.T) {
	r, err := SyscallRule(ArchX86_64, []string{"getppid", "openat"}, "tb", Equals(FieldPID, 4242))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 1040+2 {
		t.Fatalf("%d bytes, want 1040 + len(key)", len(b))
	}
	word := func(i int) uint32 { return nativeU32(b[4*i:]) }
	checks := []struct {
		name string
		off  int // word index
		want uint32
	}{
		{"flags", 0, unix.AUDIT_FILTER_EXIT},
		{"action", 1, unix.AUDIT_ALWAYS},
		{"field_count", 2, 3},
		{"mask[110/32]", 3 + 3, 1 << (110 % 32)},
		{"mask[257/32]", 3 + 8, 1 << (257 % 32)},
		{"fields[0]", 3 + 64, unix.AUDIT_ARCH},
		{"fields[1]", 3 + 64 + 1, unix.AUDIT_PID},
		{"fields[2]", 3 + 64 + 2, unix.AUDIT_FILTERKEY},
		{"values[0]", 3 + 128, 0xc000003e},
		{"values[1]", 3 + 128 + 1, 4242},
		{"values[2]", 3 + 128 + 2, 2},
		{"fieldflags[0]", 3 + 192, unix.AUDIT_EQUAL},
		{"fieldflags[2]", 3 + 192 + 2, unix.AUDIT_EQUAL},
		{"buflen", 259, 2},
	}
	for _, c := range checks {
		if got := word(c.off); got != c.want {
			t.Errorf("%s (word %d) = %#x, want %#x", c.name, c.off, got, c.want)
		}
	}
	if string(b[1040:]) != "tb" {
		t.Errorf("buf = %q, want \"tb\"", b[1040:])
	}
	var back Rule
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(r) || back.KeyString() != "tb" || fmt.Sprint(back.Syscalls) != "[110 257]" {
		t.Errorf("round trip: %v, want %v", back, r)
	}
}

func TestRuleRejects(t *testing.T) {
	for name, f := range map[string]func() error{
		"unknown syscall": func() error { _, err := SyscallRule(ArchX86_64, []string{"nosuch"}, "k"); return err },
		"unknown arch":    func() error { _, err := SyscallRule(Arch(3), []string{"getppid"}, "k"); return err },
		"long key": func() error {
			_, err := SyscallRule(ArchX86_64, []string{"getppid"}, strings.Repeat("k", 257))
			return err
		},
		"class bit": func() error { _, err := Rule{Syscalls: []int{2047}}.MarshalBinary(); return err },
		"65 fields": func() error { _, err := Rule{Fields: make([]Field, 65)}.MarshalBinary(); return err },
	} {
		if err := f(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	var r Rule
	if err := r.UnmarshalBinary(make([]byte, 1039)); !errors.Is(err, ErrProtocol) {
		t.Errorf("short rule: err = %v, want ErrProtocol", err)
	}
}

func TestArchSyscalls(t *testing.T) {
	// The native table must agree with the numbers x/sys/unix was
	// generated from.
	native, err := NativeArch()
	if err != nil {
		t.Skip(err)
	}
	for name, want := range map[string]int{
		"getppid": unix.SYS_GETPPID, "openat": unix.SYS_OPENAT, "execve": unix.SYS_EXECVE,
		"execveat": unix.SYS_EXECVEAT, "connect": unix.SYS_CONNECT,
	} {
		got, err := native.SyscallNumber(name)
		if err != nil || got != want {
			t.Errorf("%v %s = %d, %v; want %d", native, name, got, err, want)
		}
		if n := native.SyscallName(want); n != name {
			t.Errorf("SyscallName(%d) = %q, want %q", want, n, name)
		}
	}
}

// listRaw returns the kernel's rule list as the raw payloads it sent.
func listRaw(t *testing.T, c *Conn) [][]byte {
	t.Helper()
	replies, err := c.request(unix.AUDIT_LIST_RULES, nil, multi)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, m := range replies {
		out = append(out, m.Data)
	}
	return out
}

// TestRulesHost adds a rule with every filter tracebench uses, finds it in
// the kernel's list byte for byte, checks auditctl reads it as intended,
// deletes it and checks that the list is exactly as before. With audit
// disabled, rules are inert: syscalls only consult them for tasks that got
// an audit context at fork, and no task does until audit is first enabled
// (audit_alloc returns early while audit_ever_enabled is false).
func TestRulesHost(t *testing.T) {
	c := dialHost(t)
	before := listRaw(t, c)
	native, err := NativeArch()
	if err != nil {
		t.Skip(err)
	}
	key := fmt.Sprintf("tracebench-test-%d", os.Getpid())
	r, err := SyscallRule(native, tracedSyscalls, key,
		Equals(FieldPID, uint32(os.Getpid())), Equals(FieldPPID, uint32(os.Getppid())), Equals(FieldLoginUID, 4242))
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := r.MarshalBinary()
	if err := c.AddRule(r); err != nil {
		t.Fatal(err)
	}
	deleted := false
	t.Cleanup(func() {
		if !deleted {
			if err := c.DeleteRule(r); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})

	during := listRaw(t, c)
	if len(during) != len(before)+1 {
		t.Fatalf("%d rules after adding one to %d", len(during), len(before))
	}
	if !bytes.Equal(during[len(during)-1], wire) {
		t.Errorf("kernel lists the new rule as %d bytes that differ from the %d sent", len(during[len(during)-1]), len(wire))
	}
	rules, err := c.ListRules()
	if err != nil {
		t.Fatal(err)
	}
	if !rules[len(rules)-1].Equal(r) {
		t.Errorf("ListRules last = %v, want %v", rules[len(rules)-1], r)
	}
	if err := c.AddRule(r); !errors.Is(err, ErrRuleExists) || !errors.Is(err, unix.EEXIST) {
		t.Errorf("second add: err = %v, want ErrRuleExists and EEXIST", err)
	}
	checkAuditctl(t, native, key)

	if err := c.DeleteRule(r); err != nil {
		t.Fatal(err)
	}
	deleted = true
	if err := c.DeleteRule(r); !errors.Is(err, ErrNoSuchRule) {
		t.Errorf("second delete: err = %v, want ErrNoSuchRule", err)
	}
	after := listRaw(t, c)
	if len(after) != len(before) {
		t.Fatalf("%d rules after delete, %d before", len(after), len(before))
	}
	for i := range after {
		if !bytes.Equal(after[i], before[i]) {
			t.Errorf("rule %d differs from before the test", i)
		}
	}
}

// checkAuditctl reads the rule back with auditctl -l, an independent
// decoder of the wire form.
func checkAuditctl(t *testing.T, arch Arch, key string) {
	t.Helper()
	if _, err := exec.LookPath("auditctl"); err != nil {
		t.Log("auditctl not installed (Debian package auditd); skipping cross-check")
		return
	}
	out, err := exec.Command("auditctl", "-l").Output()
	if err != nil {
		t.Fatalf("auditctl -l: %v", err)
	}
	want := map[Arch]string{
		ArchX86_64:  "-a always,exit -F arch=b64 -S connect,execve,getppid,openat,execveat",
		ArchAArch64: "-a always,exit -F arch=b64 -S openat,getppid,connect,execve,execveat",
	}[arch] + fmt.Sprintf(" -F pid=%d -F ppid=%d -F auid=4242 -F key=%s", os.Getpid(), os.Getppid(), key)
	if !strings.Contains(string(out), want+"\n") {
		t.Errorf("auditctl -l does not list\n  %s\nit lists:\n%s", want, out)
	}
}
