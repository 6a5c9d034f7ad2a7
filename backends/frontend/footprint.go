package frontend

import (
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// Footprint is the disk space a tool costs on a Debian target.
type Footprint struct {
	// KB is the sum of the Installed-Size (KiB) of Packages.
	KB int64
	// Packages are the tool's packages and every package they depend on
	// (Depends, Pre-Depends, recursively) that a minimal Debian system
	// does not already have: a minimal system being what
	// `debootstrap --variant=minbase` installs, the Essential and
	// Priority: required packages, with their own dependencies.
	// Recommends are not counted (Makefile installs with
	// --no-install-recommends).
	Packages []string
}

// pkg is an installed package as dpkg knows it.
type pkg struct {
	name     string
	base     bool // Essential or Priority: required
	sizeKB   int64
	provides []string
	depends  [][]string // each a list of alternatives
}

// MeasureFootprint computes the footprint of the installed packages
// names, from dpkg's database (dpkg-query).
func MeasureFootprint(names ...string) (Footprint, error) {
	out, err := exec.Command("dpkg-query", "-W", "-f",
		`${Package}\t${db:Status-Abbrev}\t${Essential}\t${Priority}\t${Installed-Size}\t${Provides}\t${Pre-Depends}, ${Depends}\n`).Output()
	if err != nil {
		return Footprint{}, fmt.Errorf("dpkg-query: %w", err)
	}
	return footprint(string(out), names)
}

// footprint computes the footprint of names from dpkg-query's lines.
func footprint(db string, names []string) (Footprint, error) {
	pkgs := map[string]*pkg{}
	providers := map[string]string{} // virtual name -> an installed provider
	for _, line := range strings.Split(db, "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 7 || !strings.HasPrefix(f[1], "ii") {
			continue
		}
		p := &pkg{name: f[0], base: f[2] == "yes" || f[3] == "required", depends: parseDepends(f[6])}
		p.sizeKB, _ = strconv.ParseInt(f[4], 10, 64)
		for _, alt := range parseDepends(f[5]) {
			p.provides = append(p.provides, alt...)
		}
		pkgs[p.name] = p
		for _, v := range p.provides {
			providers[v] = p.name
		}
	}
	resolve := func(alts []string) *pkg {
		for _, a := range alts {
			if p := pkgs[a]; p != nil {
				return p
			}
			if p := pkgs[providers[a]]; p != nil {
				return p
			}
		}
		return nil
	}
	closure := func(roots []*pkg) map[string]*pkg {
		seen := map[string]*pkg{}
		todo := roots
		for len(todo) > 0 {
			p := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if seen[p.name] != nil {
				continue
			}
			seen[p.name] = p
			for _, alts := range p.depends {
				if d := resolve(alts); d != nil {
					todo = append(todo, d)
				}
			}
		}
		return seen
	}
	var base, roots []*pkg
	for _, p := range pkgs {
		if p.base {
			base = append(base, p)
		}
	}
	for _, n := range names {
		p := pkgs[n]
		if p == nil {
			return Footprint{}, fmt.Errorf("footprint: package %s is not installed", n)
		}
		roots = append(roots, p)
	}
	minimal := closure(base)
	var fp Footprint
	for n, p := range closure(roots) {
		if minimal[n] == nil {
			fp.KB += p.sizeKB
			fp.Packages = append(fp.Packages, n)
		}
	}
	sort.Strings(fp.Packages)
	return fp, nil
}

// parseDepends parses a dpkg relationship field ("a (>= 1) | b:any, c")
// into groups of alternative package names.
func parseDepends(s string) [][]string {
	var out [][]string
	for _, group := range strings.Split(s, ",") {
		var alts []string
		for _, a := range strings.Split(group, "|") {
			a = strings.TrimSpace(a)
			if i := strings.IndexAny(a, " ("); i >= 0 {
				a = a[:i]
			}
			a, _, _ = strings.Cut(a, ":")
			if a != "" {
				alts = append(alts, a)
			}
		}
		if len(alts) > 0 {
			out = append(out, alts)
		}
	}
	return out
}
