package reports

import (
	"bytes"
	"fmt"
	"html/template"
)

// html renders report.html: one self-contained page (inline CSS and SVG,
// no script, nothing fetched) that opens from disk.
func (pg *page) html() ([]byte, error) {
	var b bytes.Buffer
	if err := htmlPage.Execute(&b, pg); err != nil {
		return nil, fmt.Errorf("render report.html: %w", err)
	}
	return b.Bytes(), nil
}

// inline marks a chart's SVG, which this package generated, as safe to
// embed.
func inline(svg []byte) template.HTML { return template.HTML(svg) }

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{"inline": inline, "frontEndGuide": func() string { return frontEndGuide }}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "Liberation Sans", Arimo, Arial, Helvetica, sans-serif; color: #222; max-width: 1200px; margin: 1.5em auto; padding: 0 1em; line-height: 1.45; }
svg text { font-family: "Liberation Sans", Arimo, Arial, Helvetica, "Nimbus Sans", "DejaVu Sans Condensed", sans-serif !important; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #666; margin: 0; }
.banner { background: #fff4ce; border-left: 5px solid #f1ce63; padding: .6em 1em; margin: 1em 0; }
nav { margin: 1em 0; }
nav a { margin-right: 1.2em; white-space: nowrap; }
.summary li { margin: .35em 0; }
.topic { display: inline-block; min-width: 6.5em; color: #666; font-size: .85em; text-transform: uppercase; letter-spacing: .04em; }
.guide { color: #555; }
figure { margin: 0; }
figure svg { display: block; width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 13px; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.target { white-space: pre-line; }
td.ok { background: #e3f4df; } td.partial { background: #fcf1cf; } td.unsupported { background: #eeeeee; } td.failed { background: #f8d7d7; }
.reason { font-size: 12px; color: #333; }
.files { color: #666; font-size: .9em; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{range .Meta}}<p class="meta">{{.}}</p>
{{end}}</header>
{{if .Emulated}}<p class="banner" id="emulation"><strong>Emulation.</strong> {{.Emulated}}</p>
{{end}}
<section id="summary">
<h2>Summary</h2>
<ul class="summary">
{{range .Findings}}{{if ne .Topic "emulation"}}<li class="finding {{.Topic}}"><span class="topic">{{.Topic}}</span> {{.Text}}{{if .Items}}
<ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>{{end}}</li>
{{end}}{{end}}</ul>
</section>
<nav>{{range .Figures}}<a href="#chart-{{.Name}}">{{.Title}}</a> {{end}}{{if .FrontEnds}}<a href="#frontends">Front ends</a> {{end}}{{if .Verifier}}<a href="#verifier">Verifier matrix</a> {{end}}<a href="#results">All cells</a></nav>
{{range .Figures}}
<section class="chart" id="chart-{{.Name}}">
<h2>{{.Title}}</h2>
<p class="guide">{{.Guide}}</p>
<figure>
{{inline .Inline}}
</figure>
<p class="files">PNG copy: <a href="{{.PNGPath}}">{{.PNGPath}}</a></p>
{{if eq .Name "portability"}}{{template "matrix" $.Matrix}}{{end}}
</section>
{{end}}
{{if .FrontEnds}}<section id="frontends">
<h2>Front ends: start-up, memory, footprint</h2>
<p class="guide">{{frontEndGuide}}</p>
<pre class="verifier">{{.FrontEnds}}</pre>
</section>{{end}}
{{if .Verifier}}<section id="verifier">
<h2>Verifier matrix</h2>
<p class="guide">tracebench verify: each eBPF object built with each compiler and optimization level, loaded on each kernel. "ok N" = accepted, N instructions processed by the verifier; refused cells give the classified reason, with the verifier's words below.</p>
<pre class="verifier">{{.Verifier}}</pre>
</section>
{{end}}<section id="results">
<h2>All cells</h2>
{{range .Targets}}<h3>{{.Heading}}</h3>
<table class="cells" data-target="{{.Name}}">
<tr>{{range $.Columns}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}</section>
<footer class="files">
<p>Source: results.json (schema in results/SCHEMA.md). Compare two runs with <code>tracebench compare A B</code>, or
<code>benchstat A/bench.txt B/bench.txt</code>.</p>
</footer>
</body>
</html>
{{define "matrix"}}<table id="portability-table">
<tr><th>target</th>{{range .Backends}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td class="target">{{.Target}}</td>{{range .Cells}}<td class="{{.Level}}">{{.Summary}}{{range .Reasons}}<div class="reason">{{.}}</div>{{end}}</td>{{end}}</tr>
{{end}}</table>
{{end}}`))
