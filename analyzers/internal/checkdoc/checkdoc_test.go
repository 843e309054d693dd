package checkdoc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/tools/go/analysis"

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

func TestMarkdown(t *testing.T) {
	a := &analysis.Analyzer{Name: "x", Doc: checkdoc.Extract(src, "x")}
	a.Flags.String("paths", "/healthz", "liveness paths")
	md := string(checkdoc.Markdown([]*analysis.Analyzer{a}))
	assert.Contains(t, md, "\n## x\n\nx: report things\n\n```go\nbad()\n```\n")
	assert.Contains(t, md, "- `-x.paths` (default `/healthz`): liveness paths\n")
	assert.Contains(t, md, "(cli.md#silencing-a-finding)")
}

func TestMarkdownHeadingsAndMessages(t *testing.T) {
	a := &analysis.Analyzer{Name: "x", Doc: "x: report things\n\n# Why\n\nMessages:\n\n\tx is wrong; fix it\n"}
	md := string(checkdoc.Markdown([]*analysis.Analyzer{a}))
	assert.Contains(t, md, "\n### Why\n\nMessages:\n\n```\nx is wrong; fix it\n```\n")
}
