package driver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
)

// badComments reports every comment reading "// BAD".
var badComments = &analysis.Analyzer{
	Name: "badcomments",
	Doc:  "badcomments: a test analyzer",
	Run: func(pass *analysis.Pass) (any, error) {
		for _, f := range pass.Files {
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					if c.Text == "// BAD" {
						pass.Reportf(c.Pos(), "bad comment")
					}
				}
			}
		}
		return nil, nil
	},
}

func TestAnalyzeReadsTheOverlay(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.go")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.26\n"), 0o644))
	const saved = "package a\n\nimport \"fmt\"\n\nvar X = fmt.Sprint(1)\n"
	require.NoError(t, os.WriteFile(name, []byte(saved), 0o644))

	for _, tc := range []struct{ why, unsaved string }{
		{"same imports: parsed in place", "package a\n\nimport \"fmt\"\n\n// BAD\nvar X = fmt.Sprint(1)\n"},
		{"a new import: go/packages' overlay", "package a\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\n// BAD\nvar X = fmt.Sprint(strings.ToUpper(\"x\"))\n"},
	} {
		res, err := Analyze([]*analysis.Analyzer{badComments}, Config{Dir: dir, Patterns: []string{"."}, Overlay: map[string][]byte{name: []byte(tc.unsaved)}})
		require.NoError(t, err, tc.why)
		assert.Empty(t, res.Errors, tc.why)
		require.Len(t, res.Findings, 1, tc.why)
		f := res.Findings[0]
		assert.Equal(t, strings.Index(tc.unsaved, "// BAD"), f.Pos.Offset, tc.why)
		content, err := res.Content(name)
		require.NoError(t, err)
		assert.Equal(t, tc.unsaved, string(content), "Content returns what was analysed: %s", tc.why)
	}
}
