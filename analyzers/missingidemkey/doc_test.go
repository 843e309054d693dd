package missingidemkey_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/resilvet/resilvet/analyzers/missingidemkey"
)

func TestDoc(t *testing.T) {
	first, rest, _ := strings.Cut(missingidemkey.Analyzer.Doc, "\n")
	assert.Equal(t, "missingidemkey: report POST and PATCH requests retried without one stable idempotency key", first)
	assert.Contains(t, rest, "Idempotency-Key")
}
