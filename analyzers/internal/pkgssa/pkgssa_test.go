package pkgssa_test

import (
	"go/ast"
	"go/types"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/pkgssa"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

func TestLazyBuildsOnceOnDemand(t *testing.T) {
	var funcs, found int
	probe := &analysis.Analyzer{
		Name: "probe",
		Doc:  "build the package's SSA form through pkgssa",
		Run: func(pass *analysis.Pass) (any, error) {
			l := pkgssa.New(pass)
			assert.False(t, l.Built(), "nothing is built before Get")
			p := l.Get()
			require.True(t, l.Built())
			assert.Same(t, p, l.Get(), "Get builds once")
			funcs = len(p.Funcs)
			for _, f := range pass.Files {
				for _, d := range f.Decls {
					if fd, ok := d.(*ast.FuncDecl); ok {
						if obj, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok && p.Func(obj) != nil {
							found++
						}
					}
				}
			}
			return nil, nil
		},
	}
	analysistest.Run(t, testkit.TestData(t), probe, "unboundedretry/quiet")
	assert.Positive(t, funcs)
	assert.Positive(t, found, "declared functions have SSA functions")
	assert.LessOrEqual(t, found, funcs)
}
