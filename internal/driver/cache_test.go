package driver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers"
)

// describe renders a result's findings, with their fixes and related
// positions, and its errors, for comparing two results.
func describe(t *testing.T, res *Result) []string {
	t.Helper()
	var out []string
	for _, f := range res.Findings {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s-%s %s", f.Analyzer.Name, f.Pos, f.End, f.Diag.Message)
		for _, r := range f.Diag.Related {
			fmt.Fprintf(&b, "\n  related %s-%s %s", res.Fset.Position(r.Pos), res.Fset.Position(r.End), r.Message)
		}
		for _, fix := range f.Diag.SuggestedFixes {
			fmt.Fprintf(&b, "\n  fix %s", fix.Message)
			for _, e := range fix.TextEdits {
				fmt.Fprintf(&b, "\n    %s-%s %q", res.Fset.Position(e.Pos), res.Fset.Position(e.End), e.NewText)
			}
		}
		out = append(out, b.String())
	}
	for _, e := range res.Errors {
		out = append(out, "error "+e)
	}
	return out
}

// copyDir copies a directory's regular files into a new temporary one.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, e := range entries {
		if e.Type().IsRegular() {
			data, err := os.ReadFile(filepath.Join(from, e.Name()))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
		}
	}
	return dir
}

// TestCacheFindsWhatAFullLoadFinds analyses examples/antipatterns through a
// Cache, unchanged and after edits, and checks each answer against a full
// load of the same contents, and that the answers that could come from the
// cache did.
func TestCacheFindsWhatAFullLoadFinds(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "examples", "antipatterns"))
	name := filepath.Join(dir, "ctxbackground.go")
	saved, err := os.ReadFile(name)
	require.NoError(t, err)
	as := analyzers.All()
	var c Cache

	for _, step := range []struct {
		why     string
		content string
		fast    bool
	}{
		{"the first analysis loads fully", string(saved), false},
		{"unchanged: from the cache", string(saved), true},
		{"an edit keeping the imports: from the cache", string(saved) + "\n// an edit\nfunc later() { _ = context.Background() }\n", true},
		{"an edit that does not type-check: from the cache", string(saved) + "\nfunc broken() { undefined() }\n", true},
		{"an edit that does not parse: from the cache", string(saved) + "\nfunc broken() { if }\n", true},
		{"back to the saved file: from the cache", string(saved), true},
		{"a new import: a full load", strings.Replace(string(saved), "import (", "import (\n\t_ \"strings\"", 1), false},
	} {
		cfg := Config{Dir: dir, Patterns: []string{"."}, Tests: true, Overlay: map[string][]byte{name: []byte(step.content)}}
		before := c.fast
		got, err := c.Analyze(as, cfg)
		require.NoError(t, err, step.why)
		want, err := Analyze(as, cfg)
		require.NoError(t, err, step.why)
		require.NotEmpty(t, describe(t, want), step.why) // findings, or errors
		assert.Equal(t, describe(t, want), describe(t, got), step.why)
		assert.Equal(t, step.fast, c.fast > before, "answered from the cache: %s", step.why)
	}
}

// TestCacheSeesADependencyChange checks that saving a file of another
// package of the module, which the analysed one imports, makes the next
// analysis a full load that sees the change.
func TestCacheSeesADependencyChange(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644))
	}
	write("go.mod", "module example.com/m\n\ngo 1.26\n")
	write("b/b.go", "package b\n\n// Bad is false.\nconst Bad = false\n")
	write("a/a.go", "package a\n\nimport \"example.com/m/b\"\n\n// X is b.Bad.\nvar X = b.Bad\n")
	// badConst reports a use of a constant that is true.
	badConst := &analysis.Analyzer{
		Name: "badconst",
		Doc:  "badconst: a test analyzer",
		Run: func(pass *analysis.Pass) (any, error) {
			for e, tv := range pass.TypesInfo.Types {
				if tv.Value != nil && tv.Value.String() == "true" {
					pass.Reportf(e.Pos(), "true")
				}
			}
			return nil, nil
		},
	}
	var c Cache
	cfg := Config{Dir: filepath.Join(dir, "a"), Patterns: []string{"."}}
	res, err := c.Analyze([]*analysis.Analyzer{badConst}, cfg)
	require.NoError(t, err)
	assert.Empty(t, res.Findings)
	res, err = c.Analyze([]*analysis.Analyzer{badConst}, cfg)
	require.NoError(t, err)
	assert.Empty(t, res.Findings)
	require.Equal(t, 1, c.fast, "the second analysis comes from the cache")

	write("b/b.go", "package b\n\n// Bad is true.\nconst Bad = true\n")
	later := time.Now().Add(time.Second) // a coarse clock must still see a change
	require.NoError(t, os.Chtimes(filepath.Join(dir, "b", "b.go"), later, later))
	res, err = c.Analyze([]*analysis.Analyzer{badConst}, cfg)
	require.NoError(t, err)
	assert.Len(t, res.Findings, 1, "b.Bad is now true")
	assert.Equal(t, 1, c.fast, "a dependency changed: a full load")
}
