package livenessdeps

import (
	_ "embed"
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
	"github.com/resilvet/resilvet/analyzers/internal/ignore"
	"github.com/resilvet/resilvet/analyzers/internal/match"
)

//go:embed doc.go
var doc string

// Analyzer is the livenessdeps check; doc.go holds its documentation.
var Analyzer = &analysis.Analyzer{
	Name:     "livenessdeps",
	Doc:      checkdoc.Extract(doc, "livenessdeps"),
	URL:      checkdoc.URL("livenessdeps"),
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// paths is the -paths flag: the liveness paths, comma-separated.
var paths = "/healthz,/livez,/live,/liveness,/health/live"

func init() {
	Analyzer.Flags.StringVar(&paths, "paths", paths,
		"comma-separated liveness paths; a path also matches under a prefix (/api/healthz), except /live")
}

// routers are the packages through which a handler can be registered.
var routers = []string{
	"net/http",
	"github.com/go-chi/chi", "github.com/go-chi/chi/v5",
	"github.com/gorilla/mux",
	"github.com/labstack/echo/v4", "github.com/labstack/echo",
	"github.com/gin-gonic/gin",
}

func run(pass *analysis.Pass) (any, error) {
	if !match.Imports(pass.Pkg, routers...) || match.TestSupport(pass.Pkg) {
		return nil, nil
	}
	live := livenessPaths(paths)
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	if !mentions(insp, live) {
		return nil, nil
	}
	c := &checker{pass: pass, insp: insp, rep: ignore.New(pass)}
	c.indexFuncs()
	var routes []route
	for fc := range insp.Root().Children() {
		f := fc.Node().(*ast.File)
		if match.IsTestFile(pass, f) || ast.IsGenerated(f) {
			continue
		}
		for cc := range fc.Preorder((*ast.CallExpr)(nil)) {
			if r, ok := c.route(cc, live); ok {
				routes = append(routes, r)
			}
		}
	}
	for _, r := range routes {
		c.check(r)
	}
	return nil, nil
}

// mentions reports whether a string literal of the package contains one of
// the liveness paths: a cheap test before looking at calls.
func mentions(insp *inspector.Inspector, live []string) bool {
	for n := range insp.Root().Preorder((*ast.BasicLit)(nil)) {
		lit := n.Node().(*ast.BasicLit)
		if lit.Kind != token.STRING {
			continue
		}
		for _, p := range live {
			if strings.Contains(lit.Value, p) {
				return true
			}
		}
	}
	return false
}

// livenessPaths splits the -paths flag.
func livenessPaths(flag string) []string {
	var out []string
	for p := range strings.SplitSeq(flag, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, "/"+strings.Trim(p, "/"))
		}
	}
	return out
}

// routePath returns the path of a route pattern: "GET /healthz",
// "example.com/healthz/" and "/healthz" all give "/healthz".
func routePath(pattern string) string {
	if i := strings.LastIndexByte(pattern, ' '); i >= 0 {
		pattern = pattern[i+1:]
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	if pattern == "" || pattern[0] != '/' {
		return ""
	}
	return "/" + strings.Trim(pattern, "/")
}

// matches reports whether path is one of want, or ends with one of them
// under a prefix ("/api/healthz"); the short "/live" matches only itself,
// since "/video/live" is not a probe.
func matches(path string, want []string) bool {
	for _, w := range want {
		if path == w || w != "/live" && strings.HasSuffix(path, w) {
			return true
		}
	}
	return false
}

var readinessPaths = []string{"/readyz", "/ready", "/readiness", "/health/ready"}

type checker struct {
	pass  *analysis.Pass
	insp  *inspector.Inspector
	rep   *ignore.Reporter
	funcs map[token.Pos]*ast.FuncDecl // by the position of the function's name
	ready string                      // a readiness path the package registers, if any
}
