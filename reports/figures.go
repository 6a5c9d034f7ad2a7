package reports

import "github.com/tracebench/tracebench/results"

// Figures returns every chart of a run's report, in reading order; the
// load curves only when the run has them (`tracebench run --load`).
func Figures(r *results.Run) []*Figure {
	x := newIndex(r)
	figs := []*Figure{
		overheadFigure(x),
		slowdownFigure(x),
		collateralFigure(x),
		coverageFigure(x),
	}
	if f := loadFigure(x); f != nil {
		figs = append(figs, f)
	}
	return append(figs,
		portabilityFigure(x),
		attachFigure(x),
		kernelsFigure(x),
	)
}
