package ctxbackground_test

import (
	"testing"

	"github.com/resilvet/resilvet/analyzers/ctxbackground"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

func TestFindings(t *testing.T) {
	testkit.Run(t, ctxbackground.Analyzer,
		"ctxbackground/quiet", "ctxbackground/cmd/server")
}

func TestFixes(t *testing.T) {
	testkit.RunFixes(t, ctxbackground.Analyzer,
		"ctxbackground/service", "ctxbackground/handlers", "ctxbackground/callees")
}

func TestIgnoreDirective(t *testing.T) {
	testkit.Run(t, ctxbackground.Analyzer, "ctxbackground/ignored")
}
