package abandonedsend_test

import (
	"testing"

	"github.com/resilvet/resilvet/analyzers/abandonedsend"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

func TestAnalyzer(t *testing.T) {
	testkit.Run(t, abandonedsend.Analyzer,
		"abandonedsend/nofix",
		"abandonedsend/quiet",
		"abandonedsend/quiet/cmd",
		"abandonedsend/ignored",
	)
}

func TestFix(t *testing.T) {
	testkit.RunFixes(t, abandonedsend.Analyzer, "abandonedsend/bad", "abandonedsend/realworld")
}
