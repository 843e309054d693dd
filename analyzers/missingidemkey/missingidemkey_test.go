package missingidemkey_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/missingidemkey"
)

func TestFindings(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), missingidemkey.Analyzer,
		"missingidemkey/checkout", "missingidemkey/sdk", "missingidemkey/quiet", "missingidemkey/realworld", "missingidemkey/realworld/loops")
}

// TestNoFixInGotoOrRecursion: a goto loop or a function calling itself has
// no place "above the loop" to mint the key, so no fix is offered.
func TestNoFixInGotoOrRecursion(t *testing.T) {
	n := 0
	for _, r := range analysistest.Run(t, testkit.TestData(t), missingidemkey.Analyzer, "missingidemkey/realworld/loops") {
		for _, d := range r.Diagnostics {
			n++
			assert.Empty(t, d.SuggestedFixes, d.Message)
		}
	}
	require.Equal(t, 2, n)
}

func TestHeadersFlag(t *testing.T) {
	if err := missingidemkey.Analyzer.Flags.Set("headers", "X-Dedup-Key"); err != nil {
		t.Fatal(err)
	}
	defer missingidemkey.Analyzer.Flags.Set("headers", "Idempotency-Key,X-Idempotency-Key")
	analysistest.Run(t, testkit.TestData(t), missingidemkey.Analyzer, "missingidemkey/customheader")
}

func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testkit.TestData(t), missingidemkey.Analyzer, "missingidemkey/fixes")
}

func TestFixedIsClean(t *testing.T) {
	// The fixes import runtime/retry; the recheck compiles the real package.
	if _, err := os.Stat(filepath.Join(testkit.RepoRoot(t), "runtime", "retry", "retry.go")); err != nil {
		t.Skip("runtime/retry is not in this tree yet")
	}
	testkit.FixedIsClean(t, testkit.TestData(t), missingidemkey.Analyzer, "missingidemkey/fixes")
}
