package livenessdeps_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/livenessdeps"
)

func TestAnalyzer(t *testing.T) {
	testkit.Run(t, livenessdeps.Analyzer,
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
	testkit.Run(t, livenessdeps.Analyzer, "livenessdeps/custompath")
}
