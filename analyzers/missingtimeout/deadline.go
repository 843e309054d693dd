package missingtimeout

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/resilvet/resilvet/analyzers/internal/match"
)

// bound tells whether a context or request visibly carries a deadline.
type bound int

const (
	boundUnknown bound = iota // built elsewhere: assume the caller bounds it
	boundYes                  // a caller's context, or one derived with a deadline
	boundNo                   // a Background/TODO root with no deadline on the way, or no context at all
)

// either combines the values a variable may hold: one bounded assignment
// (req = req.WithContext(ctx)) is taken to bound it, and anything unknown
// keeps it unknown, so that only a visibly unbounded value is reported.
func either(a, b bound) bound {
	switch {
	case a == boundYes || b == boundYes:
		return boundYes
	case a == boundUnknown || b == boundUnknown:
		return boundUnknown
	}
	return boundNo
}

// deadlines classifies contexts and requests as code in one function sees
// them.
type deadlines struct {
	info *types.Info
	fn   inspector.Cursor // the outermost function around the use
	// callerCtx reports whether fn has a context or request parameter: a
	// Background root there is ctxbackground's finding, not a missing
	// timeout.
	callerCtx bool
	depth     int
	visiting  map[*types.Var]bool
}

func (c *checker) deadlinesAt(cur inspector.Cursor) *deadlines {
	fn := enclosingFunc(cur)
	d := &deadlines{info: c.pass.TypesInfo, fn: fn}
	if fd, ok := fn.Node().(*ast.FuncDecl); ok && fd.Type.Params != nil {
		for _, f := range fd.Type.Params.List {
			t := d.info.TypeOf(f.Type)
			if match.IsContext(t) || match.IsHTTPRequestPtr(t) {
				d.callerCtx = true
			}
		}
	}
	return d
}

// ctx classifies a context expression.
func (d *deadlines) ctx(e ast.Expr) bound {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := match.Callee(d.info, e)
		switch {
		case match.IsFunc(fn, "context", "Background", "TODO"):
			if d.callerCtx {
				return boundUnknown
			}
			return boundNo
		case match.IsFunc(fn, "context", "WithTimeout", "WithTimeoutCause", "WithDeadline", "WithDeadlineCause"):
			return boundYes
		case match.IsFunc(fn, "context", "WithCancel", "WithCancelCause", "WithValue"):
			if len(e.Args) > 0 {
				return d.ctx(e.Args[0])
			}
		case match.IsMethod(fn, httpPkg, "Request", "Context"):
			// A request's own context: a received request carries its
			// caller's; one built here carries what it was built with.
			if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok {
				return d.request(sel.X)
			}
		}
	case *ast.Ident:
		return d.variable(e, d.ctx)
	}
	return boundUnknown
}

// request classifies the context of an *http.Request expression.
func (d *deadlines) request(e ast.Expr) bound {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := match.Callee(d.info, e)
		switch {
		case match.IsFunc(fn, httpPkg, "NewRequest"):
			return boundNo
		case match.IsFunc(fn, httpPkg, "NewRequestWithContext"):
			if len(e.Args) > 0 {
				return d.ctx(e.Args[0])
			}
		case match.IsMethod(fn, httpPkg, "Request", "WithContext", "Clone"):
			if len(e.Args) > 0 {
				return d.ctx(e.Args[0])
			}
		}
	case *ast.Ident:
		return d.variable(e, d.request)
	}
	return boundUnknown
}

// variable classifies a local variable by every value assigned to it in
// the function: a parameter is the caller's, bounded by it.
func (d *deadlines) variable(id *ast.Ident, classify func(ast.Expr) bound) bound {
	v, ok := d.info.Uses[id].(*types.Var)
	if !ok || v.IsField() || v.Pkg() == nil || v.Parent() == v.Pkg().Scope() {
		return boundUnknown
	}
	if isParam(d.fn, d.info, v) {
		return boundYes
	}
	if d.visiting[v] {
		return boundNo // a value derived from itself adds nothing to either
	}
	if d.depth > 8 {
		return boundUnknown
	}
	if d.visiting == nil {
		d.visiting = map[*types.Var]bool{}
	}
	d.depth++
	d.visiting[v] = true
	defer func() { d.depth--; delete(d.visiting, v) }()
	result, seen := boundNo, false
	for n := range d.fn.Preorder((*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.UnaryExpr)(nil), (*ast.RangeStmt)(nil)) {
		var lhs, rhs []ast.Expr
		switch n := n.Node().(type) {
		case *ast.AssignStmt:
			lhs, rhs = n.Lhs, n.Rhs
		case *ast.ValueSpec:
			for _, name := range n.Names {
				lhs = append(lhs, name)
			}
			rhs = n.Values
		case *ast.UnaryExpr:
			if x, ok := ast.Unparen(n.X).(*ast.Ident); ok && d.info.Uses[x] == v {
				return boundUnknown // &v: anything may write it
			}
			continue
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if x, ok := x.(*ast.Ident); ok && d.info.ObjectOf(x) == v {
					return boundUnknown
				}
			}
			continue
		}
		for i, l := range lhs {
			lid, ok := ast.Unparen(l).(*ast.Ident)
			if !ok || d.info.ObjectOf(lid) != v {
				continue
			}
			switch {
			case len(lhs) == len(rhs):
				result, seen = either(result, classify(rhs[i])), true
			case len(rhs) == 1 && i == 0:
				// req, err := http.NewRequest(...); ctx, cancel := context.WithTimeout(...)
				result, seen = either(result, classify(rhs[0])), true
			default:
				return boundUnknown
			}
		}
	}
	if !seen {
		return boundUnknown
	}
	return result
}
