package fixedit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
)

// addImport applies AddImport(path) to src, which must not need its
// imports resolved.
func addImport(t *testing.T, src, path, name string) (string, bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	require.NoError(t, err)
	pass := &analysis.Pass{
		Fset:      fset,
		Pkg:       types.NewPackage("p", "p"),
		TypesInfo: &types.Info{Implicits: map[ast.Node]types.Object{}},
		ReadFile:  func(string) ([]byte, error) { return []byte(src), nil },
	}
	edits, ok := fixedit.AddImport(pass, f, path, name)
	if !ok {
		return "", false
	}
	slices.SortFunc(edits, func(a, b analysis.TextEdit) int { return int(b.Pos - a.Pos) })
	out := []byte(src)
	for _, e := range edits {
		s, end := fset.Position(e.Pos).Offset, fset.Position(e.End).Offset
		out = append(out[:s:s], append(e.NewText, out[end:]...)...)
	}
	return string(out), true
}

func TestAddImportLayout(t *testing.T) {
	for _, tc := range []struct{ name, src, path, want string }{{
		name: "std path joins the std group",
		src:  "package p\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\n\t\"example.com/x\"\n)\n",
		path: "time",
		want: "package p\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\t\"time\"\n\n\t\"example.com/x\"\n)\n",
	}, {
		name: "std path without a std group gets its own, first",
		src:  "package p\n\nimport (\n\t\"example.com/x\"\n)\n",
		path: "time",
		want: "package p\n\nimport (\n\t\"time\"\n\n\t\"example.com/x\"\n)\n",
	}, {
		name: "module path joins the module group in order",
		src:  "package p\n\nimport (\n\t\"time\"\n\n\t\"example.com/x\"\n\t\"zz.org/y\"\n)\n",
		path: "github.com/resilvet/resilvet/runtime/retry",
		want: "package p\n\nimport (\n\t\"time\"\n\n\t\"example.com/x\"\n\t\"github.com/resilvet/resilvet/runtime/retry\"\n\t\"zz.org/y\"\n)\n",
	}, {
		name: "single import becomes a block",
		src:  "package p\n\nimport \"fmt\"\n",
		path: "time",
		want: "package p\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n",
	}, {
		name: "empty block",
		src:  "package p\n\nimport ()\n",
		path: "time",
		want: "package p\n\nimport (\n\t\"time\"\n)\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := addImport(t, tc.src, tc.path, "x")
			require.True(t, ok)
			assert.Equal(t, tc.want, got)
			_, err := parser.ParseFile(token.NewFileSet(), "p.go", got, 0)
			assert.NoError(t, err)
		})
	}
}
