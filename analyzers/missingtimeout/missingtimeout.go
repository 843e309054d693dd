// Package missingtimeout defines an Analyzer that reports ... (being built).
package missingtimeout

import (
	"golang.org/x/tools/go/analysis"
)

// Doc is the analyzer's documentation: a one-line summary, then details.
const Doc = `missingtimeout: (being built)`

// Analyzer is the missingtimeout check.
var Analyzer = &analysis.Analyzer{
	Name: "missingtimeout",
	Doc:  Doc,
	URL:  "https://github.com/resilvet/resilvet/blob/main/docs/checks.md#missingtimeout",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) { return nil, nil }
