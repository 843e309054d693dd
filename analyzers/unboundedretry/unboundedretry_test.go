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
		"unboundedretry/article", "unboundedretry/loops", "unboundedretry/quiet", "unboundedretry/ignored")
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
