package lockupgrade_test

import (
	"testing"

	"github.com/resilvet/resilvet/analyzers/internal/testkit"
	"github.com/resilvet/resilvet/analyzers/lockupgrade"
)

func TestAnalyzer(t *testing.T) {
	testkit.Run(t, lockupgrade.Analyzer,
		"lockupgrade/breaker",
		"lockupgrade/cache",
		"lockupgrade/pool",
		"lockupgrade/lazy",
		"lockupgrade/deadlock",
		"lockupgrade/quiet",
		"lockupgrade/ignored",
		"lockupgrade/effects",
		"lockupgrade/helpers",
		"lockupgrade/memo",
	)
}

func TestFix(t *testing.T) {
	testkit.RunFixes(t, lockupgrade.Analyzer, "lockupgrade/cachefix")
}
