package missingtimeout_test

import (
	"testing"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/missingtimeout"
)

func TestFindings(t *testing.T) {
	testkit.Run(t, missingtimeout.Analyzer,
		"missingtimeout/calls", "missingtimeout/sends", "missingtimeout/quiet", "missingtimeout/mirror")
}

func TestFixes(t *testing.T) {
	testkit.RunFixes(t, missingtimeout.Analyzer,
		"missingtimeout/fixclient", "missingtimeout/fixserver", "missingtimeout/fixrequest")
}

func TestIgnoreDirective(t *testing.T) {
	testkit.Run(t, missingtimeout.Analyzer, "missingtimeout/ignored")
}
