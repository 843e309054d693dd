// Package ctxbackground defines an Analyzer that reports ... (being built).
package ctxbackground

import (
	"golang.org/x/tools/go/analysis"
)

// Doc is the analyzer's documentation: a one-line summary, then details.
const Doc = `ctxbackground: (being built)`

// Analyzer is the ctxbackground check.
var Analyzer = &analysis.Analyzer{
	Name: "ctxbackground",
	Doc:  Doc,
	URL:  "https://github.com/resilvet/resilvet/blob/main/docs/checks.md#ctxbackground",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) { return nil, nil }
