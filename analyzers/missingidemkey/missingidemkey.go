// Package missingidemkey defines an Analyzer that reports ... (being built).
package missingidemkey

import (
	"golang.org/x/tools/go/analysis"
)

// Doc is the analyzer's documentation: a one-line summary, then details.
const Doc = `missingidemkey: (being built)`

// Analyzer is the missingidemkey check.
var Analyzer = &analysis.Analyzer{
	Name: "missingidemkey",
	Doc:  Doc,
	URL:  "https://github.com/resilvet/resilvet/blob/main/docs/checks.md#missingidemkey",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) { return nil, nil }
