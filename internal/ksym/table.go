package ksym

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// KallsymsPath lists the kernel's symbols with their addresses.
const KallsymsPath = "/proc/kallsyms"

// ErrHiddenAddresses is returned when /proc/kallsyms shows every address as
// zero: kernel.kptr_restrict hides them from this user (root sees them
// unless kptr_restrict is 2).
var ErrHiddenAddresses = errors.New("kernel symbol addresses are hidden (kernel.kptr_restrict)")

// Symbol is a kernel text symbol: a function, of the kernel or a module.
type Symbol struct {
	Name string
	Addr uint64
}

// Table is the kernel's text symbols sorted by address, to tell which
// function an address (a branch target, a sampled IP) belongs to.
type Table struct {
	syms []Symbol
}

var (
	kernelOnce  sync.Once
	kernelTable *Table
	kernelErr   error
)

// KernelTable is the running kernel's table, read from KallsymsPath once
// per process.
func KernelTable() (*Table, error) {
	kernelOnce.Do(func() { kernelTable, kernelErr = ReadTable(KallsymsPath) })
	return kernelTable, kernelErr
}

// ReadTable reads the text symbols of a kallsyms file (KallsymsPath).
func ReadTable(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t := &Table{}
	nonzero := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		// address type name [module]
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		switch fields[1] {
		case "t", "T", "w", "W":
		default:
			continue
		}
		addr, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: address %q of %s: %w", path, fields[0], fields[2], err)
		}
		nonzero = nonzero || addr != 0
		t.syms = append(t.syms, Symbol{Name: fields[2], Addr: addr})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !nonzero {
		return nil, fmt.Errorf("%s: %w", path, ErrHiddenAddresses)
	}
	sort.SliceStable(t.syms, func(i, j int) bool { return t.syms[i].Addr < t.syms[j].Addr })
	return t, nil
}

// Lookup returns the symbol addr belongs to: the last one starting at or
// before it (a function runs up to the next symbol).
func (t *Table) Lookup(addr uint64) (Symbol, bool) {
	i := sort.Search(len(t.syms), func(i int) bool { return t.syms[i].Addr > addr })
	if i == 0 {
		return Symbol{}, false
	}
	return t.syms[i-1], true
}

// Range returns where the function name starts and where the next symbol
// starts.
func (t *Table) Range(name string) (lo, hi uint64, ok bool) {
	for i, s := range t.syms {
		if s.Name != name {
			continue
		}
		hi = ^uint64(0)
		for _, next := range t.syms[i+1:] {
			if next.Addr > s.Addr {
				hi = next.Addr
				break
			}
		}
		return s.Addr, hi, true
	}
	return 0, 0, false
}
