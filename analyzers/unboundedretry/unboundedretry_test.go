package unboundedretry_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/unboundedretry"
)

func TestFindings(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), unboundedretry.Analyzer,
		"unboundedretry/article", "unboundedretry/loops", "unboundedretry/quiet")
}
