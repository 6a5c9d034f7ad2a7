package reports

import (
	"bytes"
	"fmt"
	"strings"
)

// markdown renders report.md: the summary, the charts as PNG images, and
// tables that read well in a pull request.
func (pg *page) markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", pg.Title)
	for _, m := range pg.Meta {
		fmt.Fprintf(&b, "%s  \n", mdEscape(m))
	}
	if pg.Emulated != "" {
		fmt.Fprintf(&b, "\n> **Emulation.** %s\n", mdEscape(pg.Emulated))
	}
	b.WriteString("\n## Summary\n\n")
	for _, f := range pg.Findings {
		if f.Topic == "emulation" {
			continue // the banner above says it
		}
		fmt.Fprintf(&b, "- **%s**: %s\n", f.Topic, mdEscape(f.Text))
		for _, it := range f.Items {
			fmt.Fprintf(&b, "  - %s\n", mdEscape(it))
		}
	}
	for _, f := range pg.Figures {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n![%s](%s)\n", f.Title, mdEscape(f.Guide), f.Title, f.PNGPath)
		if f.Name == "portability" {
			b.WriteString("\n")
			pg.Matrix.markdown(&b)
		}
	}
	if pg.FrontEnds != "" {
		fmt.Fprintf(&b, "\n## Front ends: start-up, memory, footprint\n\n%s\n\n```text\n%s```\n", frontEndGuide, pg.FrontEnds)
	}
	if pg.Verifier != "" {
		fmt.Fprintf(&b, "\n## Verifier matrix\n\n```text\n%s```\n", pg.Verifier)
	}
	b.WriteString("\n## All cells\n")
	for _, t := range pg.Targets {
		fmt.Fprintf(&b, "\n### %s\n\n", mdEscape(t.Heading))
		mdTable(&b, cellColumns, t.Rows)
	}
	b.WriteString("\nCompare two runs with `tracebench compare A B`, or `benchstat A/bench.txt B/bench.txt`.\n")
	return b.Bytes()
}

func (m matrixTable) markdown(b *bytes.Buffer) {
	var rows [][]string
	for _, r := range m.Rows {
		row := []string{r.Target}
		for _, c := range r.Cells {
			row = append(row, strings.Join(append([]string{c.Summary}, c.Reasons...), "\n"))
		}
		rows = append(rows, row)
	}
	mdTable(b, append([]string{"target"}, m.Backends...), rows)
}

// mdTable writes a GitHub-flavoured Markdown table.
func mdTable(b *bytes.Buffer, head []string, rows [][]string) {
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n")
	}
	line(head)
	b.WriteString(strings.Repeat("|---", len(head)) + "|\n")
	for _, r := range rows {
		line(r)
	}
}

// mdCell escapes a table cell, keeps its pipes literal and turns its line
// breaks into <br>, the break GitHub renders inside a cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(mdEscape(s), "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}

// mdEscape keeps generated text from being read as Markdown markup
// (emphasis, code, HTML). Brackets stay: "[lo, hi]" is never followed by
// "(", so it cannot become a link.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;").Replace(s)
}
