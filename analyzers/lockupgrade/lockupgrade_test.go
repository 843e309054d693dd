package lockupgrade_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/lockupgrade"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), lockupgrade.Analyzer,
		"lockupgrade/breaker",
		"lockupgrade/cache",
		"lockupgrade/pool",
		"lockupgrade/lazy",
		"lockupgrade/deadlock",
		"lockupgrade/quiet",
		"lockupgrade/ignored",
		"lockupgrade/effects",
		"lockupgrade/helpers",
	)
}

func TestFix(t *testing.T) {
	testdata := testkit.TestData(t)
	analysistest.RunWithSuggestedFixes(t, testdata, lockupgrade.Analyzer, "lockupgrade/cachefix")
	testkit.FixedIsClean(t, testdata, lockupgrade.Analyzer, "lockupgrade/cachefix")
}
