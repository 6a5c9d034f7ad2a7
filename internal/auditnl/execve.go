package auditnl

import (
	"fmt"
	"strconv"
	"strings"
)

// Argv reassembles the arguments of an execve from its EXECVE records. The
// kernel writes each argument as aN="text" or aN=HEX, and splits long ones
// into aN_len=TOTAL followed by pieces aN[0]=, aN[1]=… that may continue in
// further EXECVE records (audit_log_execve_info).
func (e *Event) Argv() ([]string, error) {
	var argc int64 = -1
	var args []strings.Builder
	for i := range e.Records {
		r := &e.Records[i]
		if r.Type != TypeExecve {
			continue
		}
		if argc < 0 {
			n, err := r.Int("argc")
			if err != nil || n < 0 || n > 1<<20 {
				return nil, fmt.Errorf("%w: EXECVE argc in event %d", ErrBadRecord, e.Serial)
			}
			argc = n
			args = make([]strings.Builder, n)
		}
		for _, f := range r.Fields {
			idx, ok := argIndex(f.Name)
			if !ok {
				continue
			}
			if idx >= len(args) {
				return nil, fmt.Errorf("%w: EXECVE field %s beyond argc=%d", ErrBadRecord, f.Name, argc)
			}
			args[idx].WriteString(decodeArg(f))
		}
	}
	if argc < 0 {
		return nil, nil
	}
	out := make([]string, len(args))
	for i := range args {
		out[i] = args[i].String()
	}
	return out, nil
}

// argIndex parses "a3" and "a3[7]" (not "a3_len") into 3.
func argIndex(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "a")
	if !ok {
		return 0, false
	}
	if i := strings.IndexByte(rest, '['); i >= 0 {
		if !strings.HasSuffix(rest, "]") {
			return 0, false
		}
		if _, err := strconv.ParseUint(rest[i+1:len(rest)-1], 10, 32); err != nil {
			return 0, false
		}
		rest = rest[:i]
	}
	n, err := strconv.ParseUint(rest, 10, 31)
	return int(n), err == nil
}

func decodeArg(f RecordField) string {
	r := Record{Fields: []RecordField{f}}
	s, _ := r.Text(f.Name)
	return s
}
