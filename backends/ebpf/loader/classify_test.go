package loader

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tracebench/tracebench/backends"
)

func TestClassifyErrno(t *testing.T) {
	for _, c := range []struct {
		err  error
		want backends.Class
	}{
		{fmt.Errorf("load program: %w%s", unix.EPERM, memlockHint), backends.Permission},
		{fmt.Errorf("attach: %w", unix.ENOENT), backends.MissingSymbol},
		{fmt.Errorf("attach: %w", unix.EOPNOTSUPP), backends.MissingConfig},
		{fmt.Errorf("attach: %w", unix.EBUSY), backends.Failed},
	} {
		u := Classify(c.err)
		if u.Class != c.want {
			t.Errorf("%v: class %s, want %s", c.err, u.Class, c.want)
		}
		if strings.Contains(u.Detail, "MEMLOCK") {
			t.Errorf("%v: detail keeps the misleading memlock hint: %s", c.err, u.Detail)
		}
	}
}
