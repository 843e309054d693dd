package missingidemkey_test

import (
	"testing"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/missingidemkey"
)

func TestFindings(t *testing.T) {
	testkit.Run(t, missingidemkey.Analyzer,
		"missingidemkey/checkout", "missingidemkey/sdk", "missingidemkey/quiet", "missingidemkey/realworld", "missingidemkey/realworld/keys", "missingidemkey/realworld/sends")
}

func TestHeadersFlag(t *testing.T) {
	testkit.SetFlag(t, missingidemkey.Analyzer, "headers", "X-Dedup-Key")
	testkit.Run(t, missingidemkey.Analyzer, "missingidemkey/customheader")
}

// TestFixes: the fixes import runtime/retry; the re-check compiles the
// real package.
func TestFixes(t *testing.T) {
	testkit.RunFixes(t, missingidemkey.Analyzer, "missingidemkey/fixes")
}
