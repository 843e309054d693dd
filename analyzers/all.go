// Package analyzers is the resilvet suite. All is the single list that every
// driver (the resilvet binary, go vet -vettool, the golangci-lint plugin) uses.
package analyzers

import (
	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers/abandonedsend"
	"github.com/resilvet/resilvet/analyzers/ctxbackground"
	"github.com/resilvet/resilvet/analyzers/livenessdeps"
	"github.com/resilvet/resilvet/analyzers/lockupgrade"
	"github.com/resilvet/resilvet/analyzers/missingidemkey"
	"github.com/resilvet/resilvet/analyzers/missingtimeout"
	"github.com/resilvet/resilvet/analyzers/unboundedretry"
)

// All returns the resilvet analyzers in a stable order.
func All() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		abandonedsend.Analyzer,
		ctxbackground.Analyzer,
		livenessdeps.Analyzer,
		lockupgrade.Analyzer,
		missingidemkey.Analyzer,
		missingtimeout.Analyzer,
		unboundedretry.Analyzer,
	}
}
