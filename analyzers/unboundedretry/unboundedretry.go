// Package unboundedretry defines an Analyzer that reports ... (being built).
package unboundedretry

import (
	"golang.org/x/tools/go/analysis"
)

// Doc is the analyzer's documentation: a one-line summary, then details.
const Doc = `unboundedretry: (being built)`

// Analyzer is the unboundedretry check.
var Analyzer = &analysis.Analyzer{
	Name: "unboundedretry",
	Doc:  Doc,
	URL:  "https://github.com/resilvet/resilvet/blob/main/docs/checks.md#unboundedretry",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) { return nil, nil }
