package livenessdeps_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/livenessdeps"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), livenessdeps.Analyzer,
		"livenessdeps/nethttp",
		"livenessdeps/routers",
		"livenessdeps/realworld",
		"livenessdeps/quiet",
		"livenessdeps/ignored",
	)
}

// TestPaths: -paths replaces the liveness paths; /health is not one by
// default (quiet/ registers it with a database check).
func TestPaths(t *testing.T) {
	f := livenessdeps.Analyzer.Flags.Lookup("paths")
	require.NotNil(t, f)
	def := f.Value.String()
	require.NoError(t, f.Value.Set("/health"))
	t.Cleanup(func() { _ = f.Value.Set(def) })
	analysistest.Run(t, testkit.TestData(t), livenessdeps.Analyzer, "livenessdeps/custompath")
}

func TestDoc(t *testing.T) {
	first, rest, _ := strings.Cut(livenessdeps.Analyzer.Doc, "\n")
	assert.Equal(t, "livenessdeps: report liveness endpoints that call databases or other services", first)
	assert.Contains(t, rest, "runtime/health")
}
