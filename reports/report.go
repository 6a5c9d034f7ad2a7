package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tracebench/tracebench/results"
)

// Names of what Write writes in a run directory.
const (
	HTMLFile     = "report.html"
	MarkdownFile = "report.md"
	ChartsDir    = "charts" // PNG copies of every chart
)

// Files lists what Write wrote.
type Files struct {
	HTML, Markdown, Bench string
	PNGs                  []string
}

// rendered is a figure drawn both ways.
type rendered struct {
	*Figure
	Inline  []byte // the SVG, for report.html
	PNGPath string // the PNG copy, relative to the run directory
}

// Write writes the report of r into dir: report.html (self-contained:
// inline SVG charts and CSS, no script, nothing fetched), report.md (tables
// and the PNG charts, for a pull request), charts/*.png, and bench.txt for
// benchstat when the run directory lacks it.
func Write(dir string, r *results.Run) (Files, error) {
	var files Files
	if err := os.MkdirAll(filepath.Join(dir, ChartsDir), 0o755); err != nil {
		return files, err
	}
	var figs []rendered
	for _, f := range Figures(r) {
		svg, err := f.inlineSVG()
		if err != nil {
			return files, err
		}
		png, err := f.PNG()
		if err != nil {
			return files, err
		}
		rel := filepath.Join(ChartsDir, f.Name+".png")
		if err := results.WriteFileAtomic(filepath.Join(dir, rel), png); err != nil {
			return files, err
		}
		files.PNGs = append(files.PNGs, filepath.Join(dir, rel))
		figs = append(figs, rendered{f, svg, rel})
	}
	pg := newPage(r, figs)
	var fe bytes.Buffer
	FrontEndTable(&fe, r)
	pg.FrontEnds = fe.String()
	if v, err := results.ReadVerifier(filepath.Join(dir, results.VerifierFile)); err == nil {
		var b bytes.Buffer
		if err := VerifierTable(&b, v); err != nil {
			return files, err
		}
		pg.Verifier = b.String()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return files, err
	}
	html, err := pg.html()
	if err != nil {
		return files, err
	}
	files.HTML = filepath.Join(dir, HTMLFile)
	if err := results.WriteFileAtomic(files.HTML, html); err != nil {
		return files, err
	}
	files.Markdown = filepath.Join(dir, MarkdownFile)
	if err := results.WriteFileAtomic(files.Markdown, pg.markdown()); err != nil {
		return files, err
	}
	files.Bench = filepath.Join(dir, results.BenchFile)
	switch _, err := os.Stat(files.Bench); {
	case errors.Is(err, fs.ErrNotExist):
		if err := results.WriteBench(dir, r); err != nil {
			return files, fmt.Errorf("write %s: %w", files.Bench, err)
		}
	case err != nil:
		return files, err
	}
	return files, nil
}
