package missingtimeout_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/missingtimeout"
)

func TestFindings(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), missingtimeout.Analyzer,
		"missingtimeout/calls", "missingtimeout/sends", "missingtimeout/quiet", "missingtimeout/mirror")
}

func TestFixes(t *testing.T) {
	td := testkit.TestData(t)
	analysistest.RunWithSuggestedFixes(t, td, missingtimeout.Analyzer,
		"missingtimeout/fixclient", "missingtimeout/fixserver", "missingtimeout/fixrequest")
	testkit.FixedIsClean(t, td, missingtimeout.Analyzer,
		"missingtimeout/fixclient", "missingtimeout/fixserver", "missingtimeout/fixrequest")
}

func TestIgnoreDirective(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), missingtimeout.Analyzer, "missingtimeout/ignored")
}
