package retryloop

// The context in scope of a retry: the one a wait between attempts should
// end with. It is not always a parameter: the loop may already use one (a
// variable, a field, a request's Context() it selects on), or the function
// may have been given a request, which carries its caller's context.

import (
	"go/ast"
	"go/types"

	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// ctxOf returns the context in scope inside body, a retry's body: the
// variable when the code names one, and how the code spells it ("" when
// there is none). In order: a context the body already uses; a context
// parameter of an enclosing function; a context the enclosing function
// uses before the loop (a field, ctx := r.Context()); the Context() of a
// request the body sends that the function was given (job.req), or of a
// request parameter.
func (m *model) ctxOf(stack []ast.Node, body ast.Node) (*types.Var, string) {
	if v, src := m.ctxUsed(body, body, nil); src != "" {
		return v, src
	}
	params := paramsOf(m.info(), stack)
	for _, p := range params {
		if match.IsContext(p.Type()) {
			return p, p.Name()
		}
	}
	given := map[*types.Var]bool{}
	for _, p := range params {
		given[p] = true
	}
	if _, fbody := enclosingFunc(stack); fbody != nil {
		if v, src := m.ctxUsed(fbody, body, nil); src != "" {
			return v, src
		}
	}
	if _, src := m.ctxUsed(body, body, given); src != "" {
		return nil, src
	}
	for _, p := range params {
		if match.IsHTTPRequestPtr(p.Type()) {
			return nil, p.Name() + ".Context()"
		}
	}
	return nil, ""
}

// paramsOf returns the named parameters and receivers of the functions
// enclosing the top of stack, innermost first.
func paramsOf(info *types.Info, stack []ast.Node) []*types.Var {
	var out []*types.Var
	for i := len(stack) - 1; i >= 0; i-- {
		var lists []*ast.FieldList
		switch f := stack[i].(type) {
		case *ast.FuncDecl:
			lists = []*ast.FieldList{f.Recv, f.Type.Params}
		case *ast.FuncLit:
			lists = []*ast.FieldList{f.Type.Params}
		default:
			continue
		}
		for _, l := range lists {
			if l == nil {
				continue
			}
			for _, field := range l.List {
				for _, name := range field.Names {
					if v, ok := info.Defs[name].(*types.Var); ok && name.Name != "_" {
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// ctxUsed finds the first context in scope that in uses (in source order):
// a variable or a field of context type, or a request's Context() call;
// with given set, a request the function was given (one of given, or a
// field of one) instead, spelled with .Context(). Its root variable must
// be declared before the retry and in scope there.
func (m *model) ctxUsed(in, retry ast.Node, given map[*types.Var]bool) (*types.Var, string) {
	requests := given != nil
	info := m.info()
	var v *types.Var
	src := ""
	ast.Inspect(in, func(n ast.Node) bool {
		if src != "" {
			return false
		}
		e, ok := n.(ast.Expr)
		if !ok {
			return true
		}
		root := rootVar(info, e)
		if root == nil || !inScopeAt(root, retry) {
			return true
		}
		t := info.TypeOf(e)
		switch {
		case requests && match.IsHTTPRequestPtr(t) && given[root]:
			if s, ok := fixedit.Source(m.pass, e); ok {
				src = s + ".Context()"
			}
		case requests:
		case match.IsContext(t):
			if s, ok := fixedit.Source(m.pass, e); ok {
				src = s
				if id, ok := ast.Unparen(e).(*ast.Ident); ok {
					v, _ = info.Uses[id].(*types.Var)
				}
			}
		}
		return src == ""
	})
	return v, src
}

// rootVar returns the variable a context or request expression starts
// from: x, x.f.g, or x.f.Context() of a request; nil for anything else
// (a call's result, an index).
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		if !ok || v.IsField() {
			return nil
		}
		return v
	case *ast.SelectorExpr:
		if v, ok := info.Uses[e.Sel].(*types.Var); !ok || !v.IsField() {
			return nil
		}
		return rootVar(info, e.X)
	case *ast.CallExpr:
		sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Context" || len(e.Args) != 0 || !match.IsHTTPRequestPtr(info.TypeOf(sel.X)) {
			return nil
		}
		return rootVar(info, sel.X)
	}
	return nil
}

// inScopeAt reports whether v is declared before n and still in scope there.
func inScopeAt(v *types.Var, n ast.Node) bool {
	if v.Pos() >= n.Pos() {
		return false
	}
	s := v.Parent()
	return s == nil || s.Contains(n.Pos()) || s.Parent() == types.Universe
}
