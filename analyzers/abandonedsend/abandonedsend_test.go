package abandonedsend_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/abandonedsend"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), abandonedsend.Analyzer,
		"abandonedsend/nofix",
		"abandonedsend/quiet",
		"abandonedsend/quiet/cmd",
		"abandonedsend/ignored",
	)
}

func TestFix(t *testing.T) {
	testdata := testkit.TestData(t)
	analysistest.RunWithSuggestedFixes(t, testdata, abandonedsend.Analyzer, "abandonedsend/bad", "abandonedsend/realworld")
	testkit.FixedIsClean(t, testdata, abandonedsend.Analyzer, "abandonedsend/bad", "abandonedsend/realworld")
}

func TestDoc(t *testing.T) {
	first, rest, _ := strings.Cut(abandonedsend.Analyzer.Doc, "\n")
	assert.Equal(t, "abandonedsend: report sends that block forever once the receiver stops waiting", first)
	assert.Contains(t, rest, "make(chan result, 1)")
}
