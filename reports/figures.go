package reports

import "github.com/tracebench/tracebench/results"

// Figures returns every chart of a run's report, in reading order.
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
