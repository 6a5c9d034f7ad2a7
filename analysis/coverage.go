package analysis

import "github.com/tracebench/tracebench/results"

// CoverageState is what a cell's coverage says, worst first: a cell
// with invalid events is invalid whatever its counts; unexplained events
// (missed silently, or seen from outside the workload) are worse than
// losses the backend counted itself.
type CoverageState int

const (
	NotMeasured CoverageState = iota // no coverage: unsupported, or failed before counting
	Invalid                          // seen events contradict ground truth
	Unexplained                      // produced − seen − lost ≠ 0
	Lost                             // the backend counted losses
	Complete                         // every event produced was seen
)

var stateNames = [...]string{"not measured", "invalid", "unexplained", "lost", "complete"}

func (s CoverageState) String() string { return stateNames[s] }

// States lists the states, worst first after NotMeasured.
var States = []CoverageState{Complete, Lost, Unexplained, Invalid, NotMeasured}

// StateOf classifies a cell's coverage.
func StateOf(c results.Cell) CoverageState {
	cov := c.Coverage
	switch {
	case cov == nil:
		return NotMeasured
	case cov.Invalid > 0:
		return Invalid
	case cov.Unexplained != 0:
		return Unexplained
	case cov.Lost > 0:
		return Lost
	}
	return Complete
}
