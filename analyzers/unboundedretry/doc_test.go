package unboundedretry_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/resilvet/resilvet/analyzers/unboundedretry"
)

func TestDoc(t *testing.T) {
	first, rest, _ := strings.Cut(unboundedretry.Analyzer.Doc, "\n")
	assert.Equal(t, "unboundedretry: report retry loops with no bound, no backoff, no cancellation or leaked bodies", first)
	assert.Contains(t, rest, "retry.Wait(ctx, retry.Backoff(policy, attempt))")
}
