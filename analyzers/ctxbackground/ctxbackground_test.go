package ctxbackground_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/ctxbackground"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

func TestFindings(t *testing.T) {
	td := testkit.TestData(t)
	analysistest.Run(t, td, ctxbackground.Analyzer,
		"ctxbackground/quiet", "ctxbackground/cmd/server")
}

func TestFixes(t *testing.T) {
	td := testkit.TestData(t)
	analysistest.RunWithSuggestedFixes(t, td, ctxbackground.Analyzer,
		"ctxbackground/service", "ctxbackground/handlers", "ctxbackground/callees")
	testkit.FixedIsClean(t, td, ctxbackground.Analyzer,
		"ctxbackground/service", "ctxbackground/handlers", "ctxbackground/callees")
}

func TestIgnoreDirective(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), ctxbackground.Analyzer, "ctxbackground/ignored")
}
