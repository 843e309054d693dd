package main

import (
	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/internal/driver"
)

// The loading, analysis and fix merging live in internal/driver, shared
// with the language server; these names keep the command's code short.
type (
	result  = driver.Result
	finding = driver.Finding
	fixPlan = driver.FixPlan
)

func analyze(as []*analysis.Analyzer, patterns []string, tests bool) (*result, error) {
	return driver.Analyze(as, driver.Config{Patterns: patterns, Tests: tests})
}

func planFixes(res *result, findings []*finding) *fixPlan { return driver.PlanFixes(res, findings) }

var recovering = driver.Recovering
