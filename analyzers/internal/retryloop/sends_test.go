package retryloop_test

import (
	"fmt"
	"go/ast"
	"go/types"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/retryloop"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

// sendSummaries reports the send summary of every function that sends.
var sendSummaries = &analysis.Analyzer{
	Name:     "sendsummaries",
	Doc:      "report the send summaries of the package's functions",
	Requires: []*analysis.Analyzer{retryloop.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		res := pass.ResultOf[retryloop.Analyzer].(*retryloop.Result)
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				s := res.Summary(pass.TypesInfo.Defs[fd.Name].(*types.Func))
				if s.SendsArgs == 0 && s.ChangesArgs == 0 && s.RewindsArgs == 0 && !s.OpenResponse {
					continue
				}
				pass.Reportf(fd.Pos(), "sends=%b changes=%b rewinds=%b open=%v", s.SendsArgs, s.ChangesArgs, s.RewindsArgs, s.OpenResponse)
			}
		}
		return nil, nil
	},
}

func TestSendSummaries(t *testing.T) {
	results := analysistest.Run(t, testkit.TestData(t), sendSummaries, "retryloop/sends")
	require.Len(t, results, 1)
	require.NotEmpty(t, results[0].Diagnostics, fmt.Sprint("no send summary in ", results[0].Pass.Pkg.Path()))
}
