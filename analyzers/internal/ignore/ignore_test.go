package ignore_test

import (
	"go/ast"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/resilvet/resilvet/analyzers/internal/ignore"
	"github.com/resilvet/resilvet/analyzers/internal/testkit"
)

// flagcalls reports every call to a function named flagme, through the
// directive filter, so the fixture can exercise the directive's rules.
var flagcalls = &analysis.Analyzer{
	Name: "flagcalls",
	Doc:  "test analyzer for the ignore directive",
	Run: func(pass *analysis.Pass) (any, error) {
		r := ignore.New(pass)
		for _, f := range pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "flagme" {
						r.Reportf(c, "flagme called")
					}
				}
				return true
			})
		}
		return nil, nil
	},
}

func TestDirective(t *testing.T) {
	analysistest.Run(t, testkit.TestData(t), flagcalls, "ignoredirective")
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		text   string
		names  []string
		reason string
		ok     bool
	}{
		{"//resilvet:ignore a because", []string{"a"}, "because", true},
		{"//resilvet:ignore a,b  two  words", []string{"a", "b"}, "two words", true},
		{"//resilvet:ignore a", []string{"a"}, "", true},
		{"//resilvet:ignore", nil, "", true},
		{"//resilvet:ignored a x", nil, "", false},
		{"// resilvet:ignore a x", nil, "", false},
		{"//resilvet:ignore a // trailing comment", []string{"a"}, "", true},
	} {
		names, reason, ok := ignore.Parse(tc.text)
		if ok != tc.ok || reason != tc.reason || len(names) != len(tc.names) {
			t.Errorf("Parse(%q) = %q, %q, %v", tc.text, names, reason, ok)
			continue
		}
		for i := range names {
			if names[i] != tc.names[i] {
				t.Errorf("Parse(%q) names = %q, want %q", tc.text, names, tc.names)
			}
		}
	}
}
