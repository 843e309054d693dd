package missingidemkey

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"net/http"
	"regexp"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/resilvet/resilvet/analyzers/internal/checkdoc"
	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
	"github.com/resilvet/resilvet/analyzers/internal/ignore"
	"github.com/resilvet/resilvet/analyzers/internal/match"
	"github.com/resilvet/resilvet/analyzers/internal/retryloop"
)

//go:embed doc.go
var doc string

// Analyzer is the missingidemkey check; doc.go holds its documentation.
var Analyzer = &analysis.Analyzer{
	Name:     "missingidemkey",
	Doc:      checkdoc.Extract(doc, "missingidemkey"),
	URL:      checkdoc.URL("missingidemkey"),
	Requires: []*analysis.Analyzer{retryloop.Analyzer},
	Run:      run,
}

var headers = "Idempotency-Key,X-Idempotency-Key"

func init() {
	Analyzer.Flags.StringVar(&headers, "headers", headers, "comma-separated header names that carry an idempotency key")
	Analyzer.Flags.Var(retryloop.HelpersFlag, "retry-helpers", retryloop.HelpersUsage)
}

func headerNames() []string {
	var out []string
	for h := range strings.SplitSeq(headers, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, http.CanonicalHeaderKey(h))
		}
	}
	return out
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[retryloop.Analyzer].(*retryloop.Result)
	if len(res.Loops) == 0 || match.TestSupport(pass.Pkg) {
		return nil, nil
	}
	names := headerNames()
	if len(names) == 0 {
		return nil, nil
	}
	r := ignore.New(pass)
	reported := map[*ast.CallExpr]bool{}
	for _, l := range res.Loops {
		for _, req := range l.Requests {
			if req.Method != http.MethodPost && req.Method != http.MethodPatch {
				continue
			}
			at := req.New
			if at == nil {
				at = req.Send
			}
			if at == nil || reported[at] || readURL(pass, req.URL) {
				continue
			}
			if req.NoHeaders {
				reported[at] = true
				r.Reportf(at, "%s is retried but this call cannot carry an %s header, so a retry after a lost response repeats the operation; build the request with http.NewRequestWithContext and set %s to a key minted once per operation",
					req.Method, names[0], names[0])
				continue
			}
			var value ast.Expr
			var name string
			for _, h := range names {
				if v, ok := req.Headers[h]; ok {
					value, name = v, h
					break
				}
			}
			if value == nil && req.HeadersOpaque {
				continue // a helper may set it
			}
			if value == nil {
				reported[at] = true
				d := analysis.Diagnostic{Pos: at.Pos(), End: at.End(), Message: fmt.Sprintf(
					"%s request is retried without an %s header, so a retry after a lost response repeats the operation; set %s to one key minted once above the retry (retry.NewKey())",
					req.Method, names[0], names[0])}
				if fix, ok := addKeyFix(pass, l, req, names[0]); ok {
					d.SuggestedFixes = []analysis.SuggestedFix{fix}
				}
				r.Report(d)
				continue
			}
			if l.Client || value.Pos() < l.Body.Pos() || value.Pos() >= l.Body.End() {
				continue // the key is set once; every attempt resends it
			}
			if fresh, ok := req.HelperHeaders[name]; ok {
				if fresh {
					reported[at] = true
					r.Reportf(value, "%s sets a new %s value on every call and is called inside the retry, so every attempt sends a new key and the server cannot deduplicate; set the key once above the loop",
						types.ExprString(value.(*ast.CallExpr).Fun), name)
				}
				continue
			}
			gen := l.Fresh(pass.TypesInfo, value)
			if gen == nil {
				continue
			}
			// report where the key is made
			if id, ok := gen.(*ast.Ident); ok {
				if v, ok := pass.TypesInfo.Uses[id].(*types.Var); ok && l.Keys[v] != nil {
					gen = l.Keys[v]
				}
			}
			reported[at] = true
			d := analysis.Diagnostic{Pos: gen.Pos(), End: gen.End(), Message: fmt.Sprintf(
				"%s value is generated inside the retry, so every attempt sends a new key and the server cannot deduplicate; generate it once above the loop",
				names[0])}
			if fix, ok := hoistFix(pass, l, gen); ok {
				d.SuggestedFixes = []analysis.SuggestedFix{fix}
			}
			r.Report(d)
		}
	}
	return nil, nil
}

// stmtIn returns the block of l's body whose list holds the statement
// enclosing pos directly, and its index.
func stmtIn(l *retryloop.Loop, pos token.Pos) (*ast.BlockStmt, int) {
	var block *ast.BlockStmt
	idx := -1
	ast.Inspect(l.Body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		b, ok := n.(*ast.BlockStmt)
		if !ok {
			return true
		}
		for i, s := range b.List {
			if s.Pos() <= pos && pos < s.End() {
				if _, isAssign := s.(*ast.AssignStmt); isAssign {
					block, idx = b, i
				}
			}
		}
		return true
	})
	return block, idx
}

// hoistFix moves "key := gen" from the loop body to just above the loop.
func hoistFix(pass *analysis.Pass, l *retryloop.Loop, gen ast.Expr) (analysis.SuggestedFix, bool) {
	none := analysis.SuggestedFix{}
	if l.Stmt == nil || l.Label != "" || l.Recursion != nil {
		return none, false // a goto loop or a recursion has no "above the loop" to move the key to
	}
	block, i := stmtIn(l, gen.Pos())
	if block != l.Body {
		return none, false
	}
	as := block.List[i].(*ast.AssignStmt)
	if as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return none, false
	}
	// the value must not depend on anything the loop makes
	dep := false
	ast.Inspect(as.Rhs[0], func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj := pass.TypesInfo.Uses[id]; obj != nil && obj.Pos() >= l.Stmt.Pos() && obj.Pos() < l.Stmt.End() {
				dep = true
			}
		}
		return !dep
	})
	if dep {
		return none, false
	}
	text, ok := fixedit.Source(pass, as)
	if !ok {
		return none, false
	}
	tf := pass.Fset.File(as.Pos())
	line := tf.Line(as.Pos())
	if tf.Line(as.End()) != line || line >= tf.LineCount() {
		return none, false
	}
	ind := fixedit.Indent(pass, l.Stmt.Pos())
	return analysis.SuggestedFix{
		Message: "Generate the idempotency key once, above the loop",
		TextEdits: []analysis.TextEdit{
			{Pos: l.Stmt.Pos(), End: l.Stmt.Pos(), NewText: []byte(text + "\n" + ind)},
			{Pos: tf.LineStart(line), End: tf.LineStart(line + 1)},
		},
	}, true
}

// addKeyFix mints a key above the loop and sets the header right after the
// request is built (after its error check).
func addKeyFix(pass *analysis.Pass, l *retryloop.Loop, req *retryloop.Request, header string) (analysis.SuggestedFix, bool) {
	none := analysis.SuggestedFix{}
	if l.Stmt == nil || l.Label != "" || l.Recursion != nil || !req.InRetry || req.Var == nil || req.New == nil || !fixedit.RuntimeAvailable(pass) {
		return none, false
	}
	const key = "idempotencyKey"
	if obj := match.Lookup(pass.Pkg, key, l.Stmt.Pos()); obj != nil {
		return none, false
	}
	block, i := stmtIn(l, req.New.Pos())
	if block == nil {
		return none, false
	}
	after := block.List[i]
	as := after.(*ast.AssignStmt)
	if id, ok := as.Lhs[len(as.Lhs)-1].(*ast.Ident); !ok || id.Name != "_" {
		// the request is nil on error: set the header after the check
		if i+1 >= len(block.List) {
			return none, false
		}
		is, ok := block.List[i+1].(*ast.IfStmt)
		if !ok || is.Init != nil || is.Else != nil || !comparesNotNil(pass.TypesInfo, is.Cond) || !terminates(is.Body) {
			return none, false
		}
		after = is
	}
	edits, ok := fixedit.AddImport(pass, l.File, fixedit.RuntimeRetry, "retry")
	if !ok {
		return none, false
	}
	ind := fixedit.Indent(pass, l.Stmt.Pos())
	inner := fixedit.Indent(pass, after.Pos())
	edits = append(edits,
		analysis.TextEdit{Pos: l.Stmt.Pos(), End: l.Stmt.Pos(), NewText: []byte(key + " := retry.NewKey()\n" + ind)},
		analysis.TextEdit{Pos: after.End(), End: after.End(), NewText: []byte(
			fmt.Sprintf("\n%s%s.Header.Set(%q, %s)", inner, req.Var.Name(), header, key))},
	)
	return analysis.SuggestedFix{Message: "Send one idempotency key, minted above the loop, on every attempt", TextEdits: edits}, true
}

// comparesNotNil reports whether e is "x != nil".
func comparesNotNil(info *types.Info, e ast.Expr) bool {
	b, ok := ast.Unparen(e).(*ast.BinaryExpr)
	return ok && b.Op == token.NEQ && match.IsNil(info, b.Y)
}

func terminates(b *ast.BlockStmt) bool {
	if len(b.List) == 0 {
		return false
	}
	switch s := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt, *ast.BranchStmt:
		return true
	case *ast.ExprStmt:
		if c, ok := s.X.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "panic" {
				return true
			}
		}
	}
	return false
}

// readPath matches URL text of endpoints that take a POST to read, not to
// change anything: searches, queries, GraphQL, token exchanges.
var readPath = regexp.MustCompile(`(?i)search|query|graphql|_count|_mget|lookup|token|oauth|login|auth|rpc`)

// readURL reports whether the constant parts of a URL expression name a
// read-style endpoint.
func readURL(pass *analysis.Pass, e ast.Expr) bool {
	if e == nil {
		return false
	}
	found := false
	check := func(n ast.Node) bool {
		if ex, ok := n.(ast.Expr); ok {
			if tv, ok := pass.TypesInfo.Types[ex]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
				if readPath.MatchString(constant.StringVal(tv.Value)) {
					found = true
				}
				return false
			}
		}
		return !found
	}
	ast.Inspect(e, check)
	// u := base + "/oauth2/v1/token"; u += "?" + q: the text of a local
	// URL variable is in its assignments
	if id, ok := ast.Unparen(e).(*ast.Ident); ok && !found {
		if v, ok := pass.TypesInfo.Uses[id].(*types.Var); ok && v.Parent() != nil && v.Parent() != pass.Pkg.Scope() {
			for _, f := range pass.Files {
				if f.Pos() > v.Pos() || v.Pos() >= f.End() {
					continue
				}
				ast.Inspect(f, func(n ast.Node) bool {
					if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
						for i, lhs := range as.Lhs {
							if l, ok := lhs.(*ast.Ident); ok && pass.TypesInfo.ObjectOf(l) == v {
								ast.Inspect(as.Rhs[i], check)
							}
						}
					}
					return !found
				})
			}
		}
	}
	return found
}
