package reports

import "github.com/tracebench/tracebench/results"

// Figures returns every chart of a run's report, in reading order. A chart
// of load curves (coverage against event rate, per backend and mode) joins
// this list, after coverage, when results.json gains the load section of
// `tracebench run --load`.
func Figures(r *results.Run) []*Figure {
	x := newIndex(r)
	return []*Figure{
		overheadFigure(x),
		slowdownFigure(x),
		collateralFigure(x),
		coverageFigure(x),
		portabilityFigure(x),
		attachFigure(x),
		kernelsFigure(x),
	}
}
