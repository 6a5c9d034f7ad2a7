// Package reports turns results files into what people read: the table
// `tracebench run` prints, and the report `tracebench report` writes into a
// run directory — report.html (self-contained: inline SVG charts and CSS,
// no script, opens from disk), report.md (tables for a pull request) and a
// PNG copy of every chart — plus the tables and chart of `tracebench
// compare`. It reads only results files (package results, with the
// conclusions of package analysis), never the harness.
//
// Every chart is a Figure (figure.go) built by one function from an index
// of the run (index.go), listed in reading order by Figures. The rules all
// charts follow: an effect the measurement could not resolve is drawn as
// its dashed interval under a "?", never as a bar, a point or a number;
// resolved effects carry their 95% CI whisker; targets measured under
// emulation are drawn as ratios and say so. The summary (summary.go) states
// in words what the data support, under the same rules.
package reports
