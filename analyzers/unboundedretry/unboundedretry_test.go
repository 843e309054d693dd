package unboundedretry_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/unboundedretry"
)

func TestFindings(t *testing.T) {
	testkit.Run(t, unboundedretry.Analyzer,
		"unboundedretry/article", "unboundedretry/loops", "unboundedretry/quiet", "unboundedretry/ignored",
		"unboundedretry/localwork", "unboundedretry/realworld", "unboundedretry/realworld/bodies",
		"unboundedretry/realworld/waits", "unboundedretry/realworld/waits/quiet", "unboundedretry/realworld/sends", "unboundedretry/realworld/sends/pipeline",
		"unboundedretry/realworld/loops")
}

// TestNoRuntimeNoFix: a package that does not depend on resilvet gets the
// finding but no fix that would import the runtime.
func TestNoRuntimeNoFix(t *testing.T) {
	for _, r := range testkit.Run(t, unboundedretry.Analyzer, "unboundedretry/nofix") {
		require.NotEmpty(t, r.Diagnostics, "no findings in unboundedretry/nofix")
		for _, d := range r.Diagnostics {
			assert.Empty(t, d.SuggestedFixes, "%s: fix offered in a package without resilvet", d.Message)
		}
	}
}

// TestFixes: the fixes import runtime/retry; the re-check compiles the
// real package.
func TestFixes(t *testing.T) {
	testkit.RunFixes(t, unboundedretry.Analyzer, "unboundedretry/fixes")
}
