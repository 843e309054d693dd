package analyzers_test

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resilvet/resilvet/analyzers"
	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md from the analyzers")

// TestChecksMD fails when docs/checks.md is not what the checks' doc.go
// files say; go test ./analyzers/ -run ChecksMD -update (or
// go run ./analyzers/internal/checkdoc/gen) rewrites it.
func TestChecksMD(t *testing.T) {
	const path = "../docs/checks.md"
	want := checkdoc.Markdown(analyzers.All())
	if *update {
		require.NoError(t, os.WriteFile(path, want, 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "docs/checks.md is stale: run go run ./analyzers/internal/checkdoc/gen")
}
