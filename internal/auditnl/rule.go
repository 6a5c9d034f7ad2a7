package auditnl

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// FieldType is a rule field (AUDIT_PID, AUDIT_LOGINUID, AUDIT_FILTERKEY, …).
type FieldType uint32

// Field types tracebench's rules use.
const (
	FieldPID      FieldType = unix.AUDIT_PID      // the task's thread-group id
	FieldPPID     FieldType = unix.AUDIT_PPID     // its parent's thread-group id
	FieldLoginUID FieldType = unix.AUDIT_LOGINUID // its login uid ("auid")
	FieldArch     FieldType = unix.AUDIT_ARCH     // the syscall table
	FieldSuccess  FieldType = unix.AUDIT_SUCCESS  // 1 if the syscall returned >= 0
	FieldKey      FieldType = unix.AUDIT_FILTERKEY
)

// Op compares a field with its value.
type Op uint32

// Operators (AUDIT_EQUAL, AUDIT_NOT_EQUAL).
const (
	OpEqual    Op = unix.AUDIT_EQUAL
	OpNotEqual Op = unix.AUDIT_NOT_EQUAL
)

// Field is one condition of a rule. String fields (the key) carry their
// text in Str; the others compare Value.
type Field struct {
	Type  FieldType
	Op    Op
	Value uint32
	Str   string
}

// Equals returns the condition "t == v".
func Equals(t FieldType, v uint32) Field { return Field{Type: t, Op: OpEqual, Value: v} }

// Key returns the field that tags every record the rule produces with key.
func Key(key string) Field { return Field{Type: FieldKey, Op: OpEqual, Str: key} }

// Rule is the kernel's struct audit_rule_data: a filter list, an action,
// the syscalls it applies to, and conditions that must all hold.
type Rule struct {
	// List is the filter list (AUDIT_FILTER_EXIT for syscall rules).
	List uint32
	// Action is AUDIT_ALWAYS (log) or AUDIT_NEVER (suppress).
	Action uint32
	// Syscalls are the syscall numbers of the rule's arch that it applies to.
	Syscalls []int
	Fields   []Field
}

// Wire layout of struct audit_rule_data (include/uapi/linux/audit.h): flags,
// action, field_count, mask[64], fields[64], values[64], fieldflags[64],
// buflen, then buflen bytes of strings. 1040 bytes before the strings on
// every kernel since 2.6.17.
const (
	ruleMaskWords = unix.AUDIT_BITMASK_SIZE
	ruleMaxFields = unix.AUDIT_MAX_FIELDS
	ruleFixedSize = 4*3 + 4*ruleMaskWords + 3*4*ruleMaxFields + 4
	// The top AUDIT_SYSCALL_CLASSES bits of the mask select syscall classes.
	maxSyscall = 32*ruleMaskWords - unix.AUDIT_SYSCALL_CLASSES
)

// SyscallRule builds an exit-filter rule that logs every call of the named
// syscalls made through arch's syscall table by tasks matching all of
// filters, tagged with key. The fields are laid out as auditctl does: arch
// first, then the filters, then the key.
func SyscallRule(arch Arch, syscalls []string, key string, filters ...Field) (Rule, error) {
	r := Rule{List: unix.AUDIT_FILTER_EXIT, Action: unix.AUDIT_ALWAYS}
	for _, name := range syscalls {
		nr, err := arch.SyscallNumber(name)
		if err != nil {
			return Rule{}, err
		}
		r.Syscalls = append(r.Syscalls, nr)
	}
	r.Fields = append(r.Fields, Equals(FieldArch, uint32(arch)))
	r.Fields = append(r.Fields, filters...)
	if key != "" {
		r.Fields = append(r.Fields, Key(key))
	}
	if _, err := r.MarshalBinary(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// isStringField reports whether the kernel carries the field's value as a
// string in the rule's buffer (values[i] is then its length).
func isStringField(t FieldType) bool {
	switch t {
	case unix.AUDIT_FILTERKEY, unix.AUDIT_WATCH, unix.AUDIT_DIR, unix.AUDIT_EXE,
		unix.AUDIT_SUBJ_USER, unix.AUDIT_SUBJ_ROLE, unix.AUDIT_SUBJ_TYPE,
		unix.AUDIT_SUBJ_SEN, unix.AUDIT_SUBJ_CLR, unix.AUDIT_OBJ_USER,
		unix.AUDIT_OBJ_ROLE, unix.AUDIT_OBJ_TYPE, unix.AUDIT_OBJ_LEV_LOW,
		unix.AUDIT_OBJ_LEV_HIGH:
		return true
	}
	return false
}

// MarshalBinary encodes the rule as struct audit_rule_data, exactly as the
// kernel lists it back (audit_krule_to_data).
func (r Rule) MarshalBinary() ([]byte, error) {
	if len(r.Fields) > ruleMaxFields {
		return nil, errorf(ErrInvalid, "rule has %d fields, the kernel takes at most %d", len(r.Fields), ruleMaxFields)
	}
	var mask [ruleMaskWords]uint32
	for _, nr := range r.Syscalls {
		if nr < 0 || nr >= maxSyscall {
			return nil, errorf(ErrInvalid, "syscall number %d outside [0, %d)", nr, maxSyscall)
		}
		mask[nr/32] |= 1 << (nr % 32)
	}
	var fields, values, flags [ruleMaxFields]uint32
	var strs []byte
	for i, f := range r.Fields {
		fields[i], flags[i], values[i] = uint32(f.Type), uint32(f.Op), f.Value
		if isStringField(f.Type) {
			if len(f.Str) == 0 || len(f.Str) > unix.AUDIT_MAX_KEY_LEN {
				return nil, errorf(ErrInvalid, "string field %d has length %d, want 1..%d", f.Type, len(f.Str), unix.AUDIT_MAX_KEY_LEN)
			}
			values[i] = uint32(len(f.Str))
			strs = append(strs, f.Str...)
		} else if f.Str != "" {
			return nil, errorf(ErrInvalid, "field %d is numeric but has string %q", f.Type, f.Str)
		}
	}
	b := make([]byte, 0, ruleFixedSize+len(strs))
	u32 := func(v uint32) { b = binary.NativeEndian.AppendUint32(b, v) }
	u32(r.List)
	u32(r.Action)
	u32(uint32(len(r.Fields)))
	for _, arr := range [][]uint32{mask[:], fields[:], values[:], flags[:]} {
		for _, v := range arr {
			u32(v)
		}
	}
	u32(uint32(len(strs)))
	return append(b, strs...), nil
}

// UnmarshalBinary decodes a struct audit_rule_data as the kernel lists it.
func (r *Rule) UnmarshalBinary(b []byte) error {
	if len(b) < ruleFixedSize {
		return errorf(ErrProtocol, "audit_rule_data of %d bytes, want at least %d", len(b), ruleFixedSize)
	}
	word := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	n := int(word(2))
	buflen := int(word(ruleFixedSize/4 - 1))
	if n > ruleMaxFields || ruleFixedSize+buflen != len(b) {
		return errorf(ErrProtocol, "audit_rule_data with %d fields and %d string bytes in %d bytes", n, buflen, len(b))
	}
	out := Rule{List: word(0), Action: word(1)}
	for w := 0; w < ruleMaskWords; w++ {
		for bit, m := 0, word(3+w); m != 0; bit, m = bit+1, m>>1 {
			if m&1 != 0 {
				out.Syscalls = append(out.Syscalls, 32*w+bit)
			}
		}
	}
	strs := b[ruleFixedSize:]
	for i := 0; i < n; i++ {
		f := Field{
			Type:  FieldType(word(3 + ruleMaskWords + i)),
			Value: word(3 + ruleMaskWords + ruleMaxFields + i),
			Op:    Op(word(3 + ruleMaskWords + 2*ruleMaxFields + i)),
		}
		if isStringField(f.Type) {
			if int(f.Value) > len(strs) {
				return errorf(ErrProtocol, "string field %d of %d bytes overruns the rule buffer", i, f.Value)
			}
			f.Str, strs, f.Value = string(strs[:f.Value]), strs[f.Value:], 0
		}
		out.Fields = append(out.Fields, f)
	}
	*r = out
	return nil
}

// Equal reports whether two rules have the same wire form, which is how the
// kernel compares them (audit_compare_rule).
func (r Rule) Equal(o Rule) bool {
	a, errA := r.MarshalBinary()
	b, errB := o.MarshalBinary()
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// KeyString returns the rule's key, or "" if it has none.
func (r Rule) KeyString() string {
	for _, f := range r.Fields {
		if f.Type == FieldKey {
			return f.Str
		}
	}
	return ""
}

func (r Rule) String() string {
	return fmt.Sprintf("list=%d action=%d syscalls=%v fields=%v", r.List, r.Action, r.Syscalls, r.Fields)
}
