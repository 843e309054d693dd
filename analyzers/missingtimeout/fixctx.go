package missingtimeout

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// backgroundRequest reports http.DefaultClient.Do sending a request whose
// context is a Background or TODO root with no deadline, with a fix that
// derives that context with context.WithTimeout where the request is
// built.
func (c *checker) backgroundRequest(f *ast.File, cur inspector.Cursor, call *ast.CallExpr) {
	d := analysis.Diagnostic{
		Pos:     call.Pos(),
		End:     call.End(),
		Message: "http.DefaultClient.Do has no timeout and the request's context has no deadline, so a slow server can hang it forever; derive the context with context.WithTimeout",
	}
	if fix := c.withTimeoutFix(f, cur, call.Args[0]); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.rep.Report(d)
}

// withTimeoutFix wraps the context.Background() (or TODO()) passed to
// http.NewRequestWithContext in a context.WithTimeout declared on the line
// above, with its cancel deferred. It handles a request built in the one
// assignment of a local variable, and returns nil for any other shape.
func (c *checker) withTimeoutFix(f *ast.File, cur inspector.Cursor, req ast.Expr) *analysis.SuggestedFix {
	info := c.pass.TypesInfo
	fn := enclosingFunc(cur)
	var build inspector.Cursor // the statement building the request
	var newReq *ast.CallExpr
	isNewReq := func(e ast.Expr) *ast.CallExpr {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if ok && match.IsFunc(match.Callee(info, call), httpPkg, "NewRequestWithContext") && len(call.Args) > 0 {
			return call
		}
		return nil
	}
	id, ok := ast.Unparen(req).(*ast.Ident)
	if !ok {
		return nil
	}
	v := info.Uses[id]
	for n := range fn.Preorder((*ast.AssignStmt)(nil)) {
		as := n.Node().(*ast.AssignStmt)
		for _, l := range as.Lhs {
			if lid, ok := ast.Unparen(l).(*ast.Ident); ok && info.ObjectOf(lid) == v {
				if newReq != nil || len(as.Rhs) != 1 {
					return nil // assigned more than once
				}
				newReq, build = isNewReq(as.Rhs[0]), n
			}
		}
	}
	if newReq == nil {
		return nil
	}
	root, ok := ast.Unparen(newReq.Args[0]).(*ast.CallExpr)
	if !ok || !match.IsFunc(match.Callee(info, root), "context", "Background", "TODO") {
		return nil
	}
	sel, ok := ast.Unparen(root.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	pkgID, ok := sel.X.(*ast.Ident)
	if !ok {
		return nil
	}
	switch build.ParentEdgeKind() {
	case edge.BlockStmt_List, edge.CaseClause_Body, edge.CommClause_Body:
	default:
		return nil
	}
	// The names the fix declares must be free in the whole function.
	for n := range fn.Preorder((*ast.Ident)(nil)) {
		id := n.Node().(*ast.Ident)
		if (id.Name == "ctx" || id.Name == "cancel") && (info.Defs[id] != nil || info.Uses[id] != nil) {
			return nil
		}
	}
	stmt := build.Node()
	if match.Lookup(c.pass.Pkg, "ctx", stmt.Pos()) != nil || match.Lookup(c.pass.Pkg, "cancel", stmt.Pos()) != nil {
		return nil
	}
	if _, ok := match.Lookup(c.pass.Pkg, pkgID.Name, stmt.Pos()).(*types.PkgName); !ok {
		return nil
	}
	qual, importEdits, ok := c.timeQualifier(f, stmt.Pos())
	if !ok {
		return nil
	}
	tf := c.pass.Fset.File(stmt.Pos())
	lineStart := tf.LineStart(tf.Line(stmt.Pos()))
	indent, ok := fixedit.Text(c.pass, lineStart, stmt.Pos())
	if !ok || strings.TrimLeft(indent, " \t") != "" {
		return nil
	}
	rootSrc, ok := fixedit.Source(c.pass, root)
	if !ok {
		return nil
	}
	decl := "ctx, cancel := " + pkgID.Name + ".WithTimeout(" + rootSrc + ", " + durationExpr(clientTimeout, qual) + ")\n" +
		indent + "defer cancel()\n" + indent
	return &analysis.SuggestedFix{
		Message: "Derive the request's context with " + pkgID.Name + ".WithTimeout",
		TextEdits: append([]analysis.TextEdit{
			{Pos: stmt.Pos(), End: stmt.Pos(), NewText: []byte(decl)},
			{Pos: root.Pos(), End: root.End(), NewText: []byte("ctx")},
		}, importEdits...),
	}
}
