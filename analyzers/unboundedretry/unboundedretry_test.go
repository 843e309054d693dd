package unboundedretry_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/unboundedretry"
)

func TestFindings(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), unboundedretry.Analyzer,
		"unboundedretry/article", "unboundedretry/loops", "unboundedretry/quiet", "unboundedretry/ignored",
		"unboundedretry/localwork", "unboundedretry/realworld", "unboundedretry/realworld/loops")
}

// TestNoRuntimeNoFix: a package that does not depend on resilvet gets the
// finding but no fix that would import the runtime.
func TestNoRuntimeNoFix(t *testing.T) {
	for _, r := range analysistest.Run(t, testkit.TestData(t), unboundedretry.Analyzer, "unboundedretry/nofix") {
		if len(r.Diagnostics) == 0 {
			t.Error("no findings in unboundedretry/nofix")
		}
		for _, d := range r.Diagnostics {
			if len(d.SuggestedFixes) > 0 {
				t.Errorf("%s: fix offered in a package without resilvet", d.Message)
			}
		}
	}
}

func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testkit.TestData(t), unboundedretry.Analyzer, "unboundedretry/fixes")
}

func TestFixedIsClean(t *testing.T) {
	// The fixes import runtime/retry; the recheck compiles the real package.
	if _, err := os.Stat(filepath.Join(testkit.RepoRoot(t), "runtime", "retry", "retry.go")); err != nil {
		t.Skip("runtime/retry is not in this tree yet")
	}
	testkit.FixedIsClean(t, testkit.TestData(t), unboundedretry.Analyzer, "unboundedretry/fixes")
}
