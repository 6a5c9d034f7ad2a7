// Package analysis draws conclusions from results files that a single cell
// cannot give: how two independently measured effects differ (which backend
// is cheaper, by how much, with what confidence), how one run compares with
// another cell by cell, where each backend runs and why not, and what a
// cell's coverage says about missed events.
//
// It reads only results (package results) and uses package stats for the
// statistics; package reports turns what it finds into words and charts.
package analysis
