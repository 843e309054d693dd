package checkdoc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
)

const src = `// Package x defines an Analyzer.
//
// # Analyzer x
//
// x: report things
//
//	bad()
package x
`

func TestExtract(t *testing.T) {
	assert.Equal(t, "x: report things\n\n\tbad()", checkdoc.Extract(src, "x"))
	assert.Panics(t, func() { checkdoc.Extract(src, "y") })
	assert.Panics(t, func() { checkdoc.Extract("package x\n", "x") })
}
