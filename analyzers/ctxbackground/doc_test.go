package ctxbackground_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/resilvet/resilvet/analyzers/ctxbackground"
)

func TestDoc(t *testing.T) {
	first, rest, _ := strings.Cut(ctxbackground.Analyzer.Doc, "\n")
	assert.Equal(t, "ctxbackground: report context.Background and context.TODO where a caller's context is in scope", first)
	assert.Contains(t, rest, "context.WithoutCancel(ctx)")
}
