package missingidemkey_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/missingidemkey"
)

func TestFindings(t *testing.T) {
	testkit.Run(t, missingidemkey.Analyzer,
		"missingidemkey/checkout", "missingidemkey/sdk", "missingidemkey/quiet", "missingidemkey/realworld",
		"missingidemkey/realworld/keys", "missingidemkey/realworld/sends", "missingidemkey/realworld/loops")
}

// TestNoFixInGotoOrRecursion: a goto loop or a function calling itself has
// no place "above the loop" to mint the key, so no fix is offered.
func TestNoFixInGotoOrRecursion(t *testing.T) {
	n := 0
	for _, r := range testkit.Run(t, missingidemkey.Analyzer, "missingidemkey/realworld/loops") {
		for _, d := range r.Diagnostics {
			n++
			assert.Empty(t, d.SuggestedFixes, d.Message)
		}
	}
	require.Equal(t, 2, n)
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
