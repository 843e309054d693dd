// Package lockupgrade defines an Analyzer that reports ... (being built).
package lockupgrade

import (
	"golang.org/x/tools/go/analysis"
)

// Doc is the analyzer's documentation: a one-line summary, then details.
const Doc = `lockupgrade: (being built)`

// Analyzer is the lockupgrade check.
var Analyzer = &analysis.Analyzer{
	Name: "lockupgrade",
	Doc:  Doc,
	URL:  "https://github.com/resilvet/resilvet/blob/main/docs/checks.md#lockupgrade",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) { return nil, nil }
