package livenessdeps_test

import (
	"testing"

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
	testkit.SetFlag(t, livenessdeps.Analyzer, "paths", "/health")
	testkit.Run(t, livenessdeps.Analyzer, "livenessdeps/custompath")
}
