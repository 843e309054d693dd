package main

import (
	"bytes"
	"go/ast"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// Test-only analyzers, so that the driver is tested apart from the real
// checks: fakebg flags context.Background() and fixes it to ctx; fakeget
// flags http.Get and has no fix.
var (
	fakeBackground = &analysis.Analyzer{
		Name: "fakebg",
		Doc:  "fakebg: report context.Background calls\n\nA test analyzer.",
		URL:  "https://example.com/checks#fakebg",
		Run: func(pass *analysis.Pass) (any, error) {
			eachCall(pass, "context", "Background", func(call *ast.CallExpr) {
				pass.Report(analysis.Diagnostic{
					Pos: call.Pos(), End: call.End(),
					Message: "context.Background() drops the deadline of ctx; pass ctx",
					SuggestedFixes: []analysis.SuggestedFix{{
						Message:   "pass ctx",
						TextEdits: []analysis.TextEdit{{Pos: call.Pos(), End: call.End(), NewText: []byte("ctx")}},
					}},
				})
			})
			return nil, nil
		},
	}
	fakeGet = &analysis.Analyzer{
		Name: "fakeget",
		Doc:  "fakeget: report http.Get calls",
		URL:  "https://example.com/checks#fakeget",
		Run: func(pass *analysis.Pass) (any, error) {
			eachCall(pass, "http", "Get", func(call *ast.CallExpr) {
				pass.Reportf(call.Pos(), "http.Get has no timeout; use a client with a Timeout")
			})
			return nil, nil
		},
	}
	fakes = []*analysis.Analyzer{fakeBackground, fakeGet}
)

// eachCall calls f for every call pkg.name(...) in the pass's files.
func eachCall(pass *analysis.Pass, pkg, name string, f func(*ast.CallExpr)) {
	for _, file := range pass.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == name {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == pkg {
					f(call)
				}
			}
			return true
		})
	}
}

// writeModule writes a module named example.com/m with the given files
// (path -> content) into a new temporary directory and returns it.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["go.mod"]; !ok {
		files["go.mod"] = "module example.com/m\n\ngo 1.26\n"
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runIn runs the standalone driver in-process with the fake analyzers,
// in dir, and returns its exit code, stdout and stderr.
func runIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := run(args, fakes, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

const handlerSrc = `package svc

import (
	"context"
	"net/http"
)

func Fetch(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func Ping(ctx context.Context) error {
	resp, err := http.Get("http://localhost/ping")
	if err != nil {
		return err
	}
	_ = context.Background()
	return resp.Body.Close()
}
`
