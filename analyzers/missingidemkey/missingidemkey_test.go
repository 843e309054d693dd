package missingidemkey_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/missingidemkey"
)

func TestFindings(t *testing.T) {
	testkit.Run(t, missingidemkey.Analyzer,
		"missingidemkey/checkout", "missingidemkey/sdk", "missingidemkey/quiet", "missingidemkey/realworld")
}

func TestHeadersFlag(t *testing.T) {
	require.NoError(t, missingidemkey.Analyzer.Flags.Set("headers", "X-Dedup-Key"))
	t.Cleanup(func() {
		require.NoError(t, missingidemkey.Analyzer.Flags.Set("headers", "Idempotency-Key,X-Idempotency-Key"))
	})
	testkit.Run(t, missingidemkey.Analyzer, "missingidemkey/customheader")
}

// TestFixes: the fixes import runtime/retry; the re-check compiles the
// real package.
func TestFixes(t *testing.T) {
	testkit.RunFixes(t, missingidemkey.Analyzer, "missingidemkey/fixes")
}
