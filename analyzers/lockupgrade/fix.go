package lockupgrade

import (
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

func (c *checker) recheckFix(fn *ssa.Function, s source, w write) []analysis.SuggestedFix {
	return nil
}
